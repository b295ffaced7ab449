import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent, type ReadMethod } from '../../sandbox/simulator/stripe-terminal-events';

/** Small deterministic PRNG (mulberry32), so every run benchmarks the same population. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const READ_METHODS: ReadMethod[] = ['contact_emv', 'contactless_emv', 'contactless_emv', 'magnetic_stripe_track2'];

/**
 * Signed Stripe deliveries for a population of returning customers: most payments come as a
 * PaymentIntent/charge pair, some are refunded, a few declined — the mix a busy shop's endpoint sees.
 */
export function seededDeliveries(o: { events: number; customers: number; secret: string; seed: number }) {
  const rnd = prng(o.seed);
  const out: { body: string; headers: Record<string, string> }[] = [];
  let n = 0;
  while (out.length < o.events) {
    const c = Math.floor(rnd() * o.customers);
    const spec = {
      amount: 100 + Math.floor(rnd() * 20000),
      paymentIntentId: `pi_bench_${n}`,
      chargeId: `ch_bench_${n}`,
      email: rnd() < 0.6 ? `customer${c}@example.com` : null,
      phone: rnd() < 0.3 ? `+1415555${String(c % 10000).padStart(4, '0')}` : null,
      card: { fingerprint: `fp_bench_${c}`, readMethod: READ_METHODS[Math.floor(rnd() * READ_METHODS.length)], last4: String(1000 + (c % 9000)) },
    };
    const roll = rnd();
    if (roll < 0.03) {
      out.push(signedDelivery(stripeEvent('payment_intent.payment_failed', paymentIntentObject({ ...spec, failed: { code: 'card_declined', message: 'Declined' } }), { id: `evt_b${n}f` }), o.secret));
    } else {
      out.push(signedDelivery(stripeEvent('payment_intent.succeeded', paymentIntentObject(spec), { id: `evt_b${n}p` }), o.secret));
      out.push(signedDelivery(stripeEvent('charge.succeeded', chargeObject(spec), { id: `evt_b${n}c` }), o.secret));
      if (roll > 0.95) out.push(signedDelivery(stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded: Math.floor(spec.amount / 2) }), { id: `evt_b${n}r` }), o.secret));
    }
    n++;
  }
  return out.slice(0, o.events);
}
