import { chargeObject, paymentIntentObject, stripeEvent, type CardPresentSpec } from './stripe-terminal-events';

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
 * charge; now and then a refund of an earlier sale and a decline.
 */
export function* shopScenario(): Generator<ScenarioStep> {
  let n = 0;
  const sold: { spec: Parameters<typeof chargeObject>[0]; who: string }[] = [];
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
      paymentIntentId: `pi_sim_${Date.now()}_${n}`,
      chargeId: `ch_sim_${Date.now()}_${n}`,
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
    n++;
  }
}
