import { chargeObject, disputeObject, paymentIntentObject, stripeEvent, type CardPresentSpec } from './stripe-terminal-events';

/** A few regulars of a small café, so the sandbox shows returning customers, not a stream of strangers. */
const REGULARS: { name: string; email: string | null; phone: string | null; card: CardPresentSpec }[] = [
  { name: 'Ana Diaz', email: 'ana.diaz@example.com', phone: '+1 415 555 0101', card: { brand: 'visa', last4: '4242', iin: '424242', fingerprint: 'sim_fp_ana' } },
  { name: 'Ben Okafor', email: 'ben@example.org', phone: null, card: { brand: 'mastercard', last4: '4444', iin: '555555', fingerprint: 'sim_fp_ben' } },
  { name: 'Chloé Martin', email: null, phone: '(415) 555-0103', card: { brand: 'amex', last4: '0005', iin: '378282', fingerprint: 'sim_fp_chloe' } },
  { name: 'Dev Patel', email: 'DEV.PATEL@Example.com', phone: null, card: { brand: 'visa', last4: '1881', iin: '401288', fingerprint: 'sim_fp_dev' } },
];

export interface ScenarioStep {
  label: string;
  event: ReturnType<typeof stripeEvent>;
}

/**
 * An endless, varied day at the till: chip, contactless, Apple Pay, swipe, each as a PaymentIntent and its
 * charge; now and then a refund of an earlier sale and a decline, and rarely a chargeback on an earlier sale,
 * opened and, a few sales later, closed (won and lost in turn).
 */
export function* shopScenario(): Generator<ScenarioStep> {
  let n = 0;
  let disputes = 0;
  const sold: { spec: Parameters<typeof chargeObject>[0]; who: string }[] = [];
  const open: { dispute: ReturnType<typeof disputeObject>; who: string; closeAt: number }[] = [];
  for (;;) {
    const who = REGULARS[n % REGULARS.length]!;
    const amount = 350 + ((n * 733) % 4200);
    const kind = n % 7;
    const card: CardPresentSpec =
      kind === 1 ? { ...who.card, readMethod: 'contactless_emv' }
      : kind === 3 ? { ...who.card, readMethod: 'contactless_emv', wallet: 'apple_pay', fingerprint: `${who.card.fingerprint}_applepay` }
      : kind === 5 ? { ...who.card, readMethod: 'magnetic_stripe_track2' }
      : { ...who.card, readMethod: 'contact_emv' };
    const spec = {
      amount,
      currency: 'usd',
      email: who.email,
      phone: who.phone,
      name: who.name,
      card,
      // Base 36: a 13-digit millisecond count can pass the Luhn check, and the card-number scrubber would redact it.
      paymentIntentId: `pi_sim_${Date.now().toString(36)}_${n}`,
      chargeId: `ch_sim_${Date.now().toString(36)}_${n}`,
      metadata: { reader_id: 'tmr_sim_counter', location_id: 'tml_sim_cafe', order: `S-${1000 + n}` },
    };
    if (kind === 6) {
      yield {
        label: `decline   ${who.name}`,
        event: stripeEvent('payment_intent.payment_failed', paymentIntentObject({ ...spec, failed: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' } })),
      };
    } else {
      const how = card.wallet ? 'Apple Pay' : { contact_emv: 'chip', contactless_emv: 'contactless', magnetic_stripe_track2: 'swipe', magnetic_stripe_fallback: 'fallback' }[card.readMethod!];
      yield { label: `payment   ${who.name} (${how})`, event: stripeEvent('payment_intent.succeeded', paymentIntentObject(spec)) };
      yield { label: `charge    ${who.name} (${how})`, event: stripeEvent('charge.succeeded', chargeObject(spec)) };
      sold.push({ spec, who: who.name });
    }
    if (n % 9 === 8 && sold.length > 2) {
      const { spec: s, who: name } = sold[sold.length - 3]!;
      yield { label: `refund    ${name}`, event: stripeEvent('charge.refunded', chargeObject({ ...s, amountRefunded: Math.ceil(s.amount / 2) })) };
    }
    if (n % 13 === 12 && sold.length > 2) {
      const { spec: s, who: name } = sold[sold.length - 2]!;
      const dispute = disputeObject({ amount: s.amount, currency: s.currency, charge: s.chargeId, paymentIntentId: s.paymentIntentId, reason: 'product_not_received' });
      open.push({ dispute, who: name, closeAt: n + 4 });
      yield { label: `dispute   ${name} (${dispute.reason})`, event: stripeEvent('charge.dispute.created', dispute) };
    }
    while (open.length > 0 && open[0]!.closeAt <= n) {
      const { dispute, who: name } = open.shift()!;
      const status = disputes++ % 2 === 0 ? 'won' : 'lost';
      yield { label: `dispute   ${name} ${status}`, event: stripeEvent('charge.dispute.closed', { ...dispute, status, evidence_details: { ...dispute.evidence_details, due_by: null, has_evidence: true, submission_count: 1 } }) };
    }
    n++;
  }
}
