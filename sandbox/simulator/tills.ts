/** Stripe object ids the scenario makes up (events, PaymentIntents, charges, disputes, refunds, readers). */
const STRIPE_ID = /^(evt|pi|ch|dp|re|tmr)_[A-Za-z0-9_]+$/;

/**
 * The event as if it had been rung up on the engine's own till: every Stripe id in it gets `_<till>` appended.
 * Each engine then records its own payments in the shared store (the same event given to all three would be
 * recorded once, by whichever came first), which shows each engine at work: the transactions' event ids and
 * reader ids end in the till's name. The card and the customer details stay, so the regulars are recognised
 * across tills.
 */
export function onTill<T>(event: T, till: string): T {
  return JSON.parse(JSON.stringify(event), (_key, value: unknown) => (typeof value === 'string' && STRIPE_ID.test(value) ? `${value}_${till}` : value)) as T;
}
