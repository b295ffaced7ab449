import type { HttpTransport } from '../../nodes/core/http/http-transport';
import { receiveWebhook, type WebhookOutcome } from '../../nodes/core/pipeline/receive-webhook';
import { availableSources, createSource } from '../../nodes/core/sources/registry';
import type { Source, WebhookRequest } from '../../nodes/core/sources/source';
import { adyenDelivery, adyenTerminalDelivery, type AdyenScenario, type AdyenTerminalScenario } from '../../sandbox/simulator/adyen-events';
import { cloverApiStub, cloverDelivery, type CloverScenario } from '../../sandbox/simulator/clover-events';
import { GENERIC_SANDBOX_CONFIG, genericDelivery, type GenericScenario } from '../../sandbox/simulator/generic-events';
import { squareDelivery, type SquareScenario } from '../../sandbox/simulator/square-events';
import { chargeObject, disputeObject, paymentIntentObject, signedDelivery, stripeEvent, type ReadMethod } from '../../sandbox/simulator/stripe-terminal-events';
import { sumupApiStub, sumupDelivery, type SumUpScenario } from '../../sandbox/simulator/sumup-events';
import { zettleDelivery, type ZettleScenario } from '../../sandbox/simulator/zettle-events';
import { prng } from '../pipeline/seeded-deliveries';

/**
 * Signed deliveries for every registered source, made by the sandbox's own simulators, for the per-source
 * throughput bench and for the test that checks the bench measures acceptances, not rejections. Scenario, amount
 * and card are drawn from a seeded generator; ids inside the simulators stay random (they do not change the work).
 * Every delivery is signed and received at one fixed instant, so a long run never drifts out of a signature's
 * tolerance.
 */
export const BENCH_AT = new Date('2026-03-14T10:00:00Z');
const BENCH_SECONDS = Math.floor(BENCH_AT.getTime() / 1000);

export interface BenchDelivery {
  request: WebhookRequest;
  /** The vendor API the source fetches what a notification only names from (Clover, SumUp): an in-memory stub. */
  http?: HttpTransport;
}

export interface SourceBench {
  name: string;
  source: Source<unknown>;
  /** The raw credential record a face hands to receiveWebhook. */
  credentials: Record<string, unknown>;
  /** The key the floor's one HMAC-SHA256 runs under: the source's own secret. */
  floorKey: Buffer;
  deliveries: BenchDelivery[];
}

const URL_BASE = 'https://bench.example/webhooks';

const requestOf = (name: string, d: { body: string; headers: Record<string, string>; url?: string }): WebhookRequest => ({
  rawBody: Buffer.from(d.body),
  headers: d.headers,
  method: 'POST',
  url: d.url ?? `${URL_BASE}/${name}`,
  receivedAt: BENCH_AT,
});

/** Card-present scenarios each simulator has that become at least one event (ignored types are left out). */
const STRIPE_READS: ReadMethod[] = ['contact_emv', 'contactless_emv', 'contactless_emv', 'magnetic_stripe_track2'];
const SQUARE: SquareScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'partial_refund', 'full_refund', 'dispute_opened', 'dispute_won', 'dispute_lost'];
const ADYEN: AdyenScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'declined', 'capture', 'partial_refund', 'cancellation', 'chargeback', 'chargeback_won', 'chargeback_lost'];
const ADYEN_TERMINAL: AdyenTerminalScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'declined'];
const ZETTLE: ZettleScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'partial_refund'];
const CLOVER: CloverScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'partial_refund', 'void'];
const SUMUP: SumUpScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed', 'decline', 'partial_refund', 'chargeback'];
const GENERIC: GenericScenario[] = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed', 'decline', 'partial_refund', 'dispute_opened', 'dispute_won', 'dispute_lost'];

const STRIPE_SECRET = 'whsec_bench_stripe_signing_secret';
const SQUARE_KEY = 'bench-square-signature-key-Zq81';
const ADYEN_HMAC_HEX = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const TERMINAL_KEY = { keyIdentifier: 'BenchKeyId', passphrase: 'bench terminal passphrase', keyVersion: 1 };
const ZETTLE_KEY = 'bench-zettle-signing-key';
const CLOVER_AUTH = 'bench-clover-app-auth-code';
const SUMUP_SECRET = 'bench-sumup-webhook-secret';
/** Standard Webhooks secrets are "whsec_" + base64 key bytes. */
const GENERIC_SECRET = `whsec_${Buffer.from('bench generic standard webhooks key').toString('base64')}`;

type Rnd = () => number;
const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const amountOf = (rnd: Rnd) => 100 + Math.floor(rnd() * 20_000);

function stripeDelivery(rnd: Rnd, n: number): { body: string; headers: Record<string, string> } {
  const spec = {
    amount: amountOf(rnd),
    paymentIntentId: `pi_bench_${n}`,
    chargeId: `ch_bench_${n}`,
    created: BENCH_SECONDS,
    email: rnd() < 0.6 ? `customer${n % 4000}@example.com` : null,
    card: { fingerprint: `fp_bench_${n % 4000}`, readMethod: pick(rnd, STRIPE_READS), last4: String(1000 + (n % 9000)) },
  };
  const roll = rnd();
  const event =
    roll < 0.4 ? stripeEvent('payment_intent.succeeded', paymentIntentObject(spec), { created: BENCH_SECONDS })
    : roll < 0.8 ? stripeEvent('charge.succeeded', chargeObject(spec), { created: BENCH_SECONDS })
    : roll < 0.9 ? stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded: Math.ceil(spec.amount / 2) }), { created: BENCH_SECONDS })
    : roll < 0.97 ? stripeEvent('payment_intent.payment_failed', paymentIntentObject({ ...spec, failed: { code: 'card_declined', message: 'Declined' } }), { created: BENCH_SECONDS })
    : stripeEvent('charge.dispute.created', disputeObject({ amount: spec.amount, charge: spec.chargeId, paymentIntentId: spec.paymentIntentId, created: BENCH_SECONDS }), { created: BENCH_SECONDS });
  return signedDelivery(event, STRIPE_SECRET, BENCH_SECONDS);
}

interface Kit {
  options?: unknown;
  credentials: Record<string, unknown>;
  floorKey: Buffer;
  make(rnd: Rnd, n: number): BenchDelivery;
}

const KITS: Record<string, Kit> = {
  stripe: {
    credentials: { signingSecret: STRIPE_SECRET },
    floorKey: Buffer.from(STRIPE_SECRET),
    make: (rnd, n) => ({ request: requestOf('stripe', stripeDelivery(rnd, n)) }),
  },
  square: {
    credentials: { signatureKey: SQUARE_KEY },
    floorKey: Buffer.from(SQUARE_KEY),
    make: (rnd) =>
      ({ request: requestOf('square', squareDelivery(pick(rnd, SQUARE), SQUARE_KEY, { createdAt: BENCH_AT.toISOString(), amount: amountOf(rnd), notificationUrl: `${URL_BASE}/square` })) }),
  },
  adyen: {
    credentials: { hmacKey: ADYEN_HMAC_HEX },
    floorKey: Buffer.from(ADYEN_HMAC_HEX, 'hex'),
    make: (rnd) => ({ request: requestOf('adyen', adyenDelivery(pick(rnd, ADYEN), ADYEN_HMAC_HEX, { eventDate: BENCH_AT, amount: amountOf(rnd) })) }),
  },
  'adyen-terminal': {
    credentials: { ...TERMINAL_KEY },
    floorKey: Buffer.from(TERMINAL_KEY.passphrase),
    make: (rnd) => {
      const amount = amountOf(rnd);
      return { request: requestOf('adyen-terminal', adyenTerminalDelivery(pick(rnd, ADYEN_TERMINAL), TERMINAL_KEY, { timestamp: BENCH_AT, amount: `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}` })) };
    },
  },
  zettle: {
    credentials: { signingKey: ZETTLE_KEY },
    floorKey: Buffer.from(ZETTLE_KEY),
    make: (rnd) => ({ request: requestOf('zettle', zettleDelivery(pick(rnd, ZETTLE), ZETTLE_KEY, { at: BENCH_AT, amount: amountOf(rnd) })) }),
  },
  clover: {
    credentials: { authCode: CLOVER_AUTH, apiToken: 'bench-clover-merchant-token' },
    floorKey: Buffer.from(CLOVER_AUTH),
    // One stub per delivery: the source's cost is measured, not a lookup that grows with the run.
    make: (rnd) => {
      const d = cloverDelivery(pick(rnd, CLOVER), CLOVER_AUTH, { at: BENCH_AT, amount: amountOf(rnd) });
      return { request: requestOf('clover', d), http: cloverApiStub([d]) };
    },
  },
  sumup: {
    credentials: { accessToken: 'bench-sumup-access-token', signingSecret: SUMUP_SECRET },
    floorKey: Buffer.from(SUMUP_SECRET),
    make: (rnd) => {
      const amount = amountOf(rnd);
      const d = sumupDelivery(pick(rnd, SUMUP), SUMUP_SECRET, { at: BENCH_AT, amount: (amount / 100).toFixed(2) });
      return { request: requestOf('sumup', d), http: sumupApiStub([d]) };
    },
  },
  generic: {
    options: GENERIC_SANDBOX_CONFIG,
    credentials: { secret: GENERIC_SECRET },
    floorKey: Buffer.from(GENERIC_SECRET.slice('whsec_'.length), 'base64'),
    make: (rnd) => ({ request: requestOf('generic', genericDelivery(pick(rnd, GENERIC), GENERIC_SECRET, { now: BENCH_AT, amount: amountOf(rnd) })) }),
  },
};

/** The registered sources, in the registry's order; a source the bench has no kit for is an error, not a gap. */
export function benchSourceNames(): string[] {
  const names = availableSources();
  const missing = names.filter((n) => !KITS[n]);
  if (missing.length > 0) throw new Error(`bench/sources has no deliveries for ${missing.join(', ')}: add a kit in source-deliveries.ts`);
  return names;
}

/** `events` signed deliveries for one source, seeded per source so adding a source does not change the others. */
export function sourceBench(name: string, events: number, seed: number): SourceBench {
  const kit = KITS[name];
  if (!kit) throw new Error(`no bench kit for source "${name}"`);
  const rnd = prng(seed + [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0));
  const deliveries = Array.from({ length: events }, (_, n) => kit.make(rnd, n));
  return { name, source: createSource(name, kit.options), credentials: kit.credentials, floorKey: kit.floorKey, deliveries };
}

/** One delivery through receiveWebhook exactly as a trigger calls it (no inbox). */
export function receiveBench(b: SourceBench, d: BenchDelivery): Promise<WebhookOutcome> {
  return receiveWebhook(b.source, d.request, { credentials: b.credentials, http: d.http, now: () => BENCH_AT });
}
