import { SANDBOX_SOURCES, type SandboxSource } from './sandbox-sources';
import { onTill } from './tills';
import { chargeObject, disputeObject, paymentIntentObject, signedDelivery, stripeEvent, type CardPresentSpec } from './stripe-terminal-events';
import { ABOUT_A_SALE, LEAVES_A_SALE, TILL_KINDS, tillDelivery, type TillBook, type TillDelivery, type TillKeys, type TillKind, type TillPlan, type TillSource } from './till-deliveries';

/** A few regulars of a small café, so the sandbox shows returning customers, not a stream of strangers. */
export const REGULARS: { name: string; email: string | null; phone: string | null; card: CardPresentSpec }[] = [
  { name: 'Ana Diaz', email: 'ana.diaz@example.com', phone: '+1 415 555 0101', card: { brand: 'visa', last4: '4242', iin: '424242', fingerprint: 'sim_fp_ana' } },
  { name: 'Ben Okafor', email: 'ben@example.org', phone: null, card: { brand: 'mastercard', last4: '4444', iin: '555555', fingerprint: 'sim_fp_ben' } },
  { name: 'Chloé Martin', email: null, phone: '(415) 555-0103', card: { brand: 'amex', last4: '0005', iin: '378282', fingerprint: 'sim_fp_chloe' } },
  { name: 'Dev Patel', email: 'DEV.PATEL@Example.com', phone: null, card: { brand: 'visa', last4: '1881', iin: '401288', fingerprint: 'sim_fp_dev' } },
];

export interface ScenarioStep {
  label: string;
  event: ReturnType<typeof stripeEvent>;
}

/** Declines the patio reader gives when it acts up, as Stripe reports them (error code, decline code, message). */
const PATIO_DECLINES = [
  { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' },
  { code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.' },
  { code: 'card_declined', declineCode: 'do_not_honor', message: 'Your card was declined.' },
] as const;

/**
 * An endless, varied day at the till: chip, contactless, Apple Pay, swipe, each as a PaymentIntent and its
 * charge; now and then a refund of an earlier sale and a decline, and rarely a chargeback on an earlier sale,
 * opened and, a few sales later, closed (won and lost in turn). Every tenth sale is a catering order over $500
 * (what the high-value template alerts on), and now and then the patio reader declines three cards in a row (what
 * the failed-payment template alerts on: three declines at one terminal within its window).
 */
export function* shopScenario(): Generator<ScenarioStep> {
  let n = 0;
  let disputes = 0;
  const sold: { spec: Parameters<typeof chargeObject>[0]; who: string }[] = [];
  const open: { dispute: ReturnType<typeof disputeObject>; who: string; closeAt: number }[] = [];
  for (;;) {
    const who = REGULARS[n % REGULARS.length]!;
    const catering = n % 10 === 2;
    const amount = catering ? 62_000 + ((n * 733) % 5_000) : 350 + ((n * 733) % 4200);
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
      const what = catering ? `${how}, catering order` : how;
      yield { label: `payment   ${who.name} (${what})`, event: stripeEvent('payment_intent.succeeded', paymentIntentObject(spec)) };
      yield { label: `charge    ${who.name} (${what})`, event: stripeEvent('charge.succeeded', chargeObject(spec)) };
      sold.push({ spec, who: who.name });
    }
    if (n % 20 === 5) {
      for (const [i, failed] of PATIO_DECLINES.entries()) {
        const other = REGULARS[(n + i + 1) % REGULARS.length]!;
        const patio = {
          ...spec, email: other.email, phone: other.phone, name: other.name, card: { ...other.card, readMethod: 'contactless_emv' as const },
          paymentIntentId: `${spec.paymentIntentId}_patio${i}`, chargeId: `${spec.chargeId}_patio${i}`,
          metadata: { ...spec.metadata, reader_id: 'tmr_sim_patio' },
        };
        yield { label: `decline   ${other.name} (patio reader)`, event: stripeEvent('payment_intent.payment_failed', paymentIntentObject({ ...patio, failed })) };
      }
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

/** One engine's till: its name (Stripe ids get it appended), its keys, the URL Square signs for it, its sales. */
export interface Till {
  name: string;
  stripeSecret: string;
  keys: TillKeys;
  squareUrl: string;
  book: TillBook;
}

/** One moment of the sandbox's day: the same for every engine, delivered to each as its own till's copy. */
export interface SandboxStep {
  source: SandboxSource;
  /** What happened, e.g. "payment   Ana Diaz (chip)". */
  label: string;
  deliver(till: Till): TillDelivery;
}

/**
 * The order each processor's till plays its day in; a kind the processor does not have, or a refund or dispute
 * with no earlier sale (or no open dispute) to be about, is played as a chip payment instead.
 */
const DAY: readonly TillKind[] = [
  'chip', 'contactless', 'apple_pay', 'swipe', 'partial_refund', 'google_pay', 'keyed', 'decline', 'fallback', 'dispute',
  'chip', 'contactless', 'dispute_won', 'apple_pay', 'dispute', 'keyed', 'dispute_lost',
];

const HOW: Partial<Record<TillKind, string>> = {
  chip: 'chip', contactless: 'contactless', apple_pay: 'Apple Pay', google_pay: 'Google Pay', swipe: 'swipe', fallback: 'chip fallback to swipe', keyed: 'keyed',
};

function labelOf(kind: TillKind, who: string): string {
  if (HOW[kind]) return `payment   ${who} (${HOW[kind]})`;
  const verb = { decline: 'decline', partial_refund: 'refund', dispute: 'dispute', dispute_won: 'dispute won', dispute_lost: 'dispute lost' }[kind as string]!;
  return `${verb.padEnd(9)} ${who}`;
}

/** What one source's till does next: the plan every engine's till follows, with its own ids. */
class SourcePlanner {
  private played = 0;
  /** The customers of the sales made so far (by the index every till gives the same sale). */
  private readonly sales: { who: (typeof REGULARS)[number]; amount: number }[] = [];
  private readonly openDisputes: number[] = [];

  constructor(private readonly source: TillSource) {}

  next(): TillPlan {
    const n = this.played++;
    const wanted = DAY[n % DAY.length]!;
    let kind: TillKind = TILL_KINDS[this.source].includes(wanted) ? wanted : 'chip';
    let sale: number | undefined;
    if (kind === 'partial_refund' || kind === 'dispute') sale = this.sales.length >= 2 ? this.sales.length - 2 : undefined;
    if (kind === 'dispute_won' || kind === 'dispute_lost') sale = this.openDisputes.shift();
    if (ABOUT_A_SALE.has(kind) && sale === undefined) kind = 'chip';
    if (kind === 'dispute') this.openDisputes.push(sale!);
    const regular = sale === undefined ? REGULARS[n % REGULARS.length]! : this.sales[sale]!.who;
    const amount = sale === undefined ? 350 + ((n * 733) % 4200) : this.sales[sale]!.amount;
    if (LEAVES_A_SALE.has(kind)) this.sales.push({ who: regular, amount });
    const who = { name: regular.name, email: regular.email, phone: regular.phone, card: { brand: regular.card.brand as 'visa' | 'mastercard' | 'amex', last4: regular.card.last4!, bin: regular.card.iin!, fingerprint: regular.card.fingerprint! } };
    return { source: this.source, kind, who, amount, sale };
  }
}

/**
 * The sandbox's day across every source, one source after the other: Stripe's day as shopScenario plays it
 * (each till's copy with the till's name appended to every Stripe id), and for the other processors chip,
 * contactless, wallets, swipe and chip fallback, keyed payments, declines, partial refunds and disputes of
 * earlier sales, as far as each processor has them. Each till gets its own ids, so each engine records its own.
 */
export function* sandboxDay(sources: readonly SandboxSource[] = SANDBOX_SOURCES): Generator<SandboxStep> {
  const stripe = shopScenario();
  const planners = new Map<TillSource, SourcePlanner>();
  for (let n = 0; ; n++) {
    const source = sources[n % sources.length]!;
    if (source === 'stripe') {
      const step = stripe.next().value!;
      yield {
        source,
        label: step.label,
        deliver: (till) => ({ ...signedDelivery(onTill(step.event, till.name), till.stripeSecret), type: step.event.type }),
      };
      continue;
    }
    let planner = planners.get(source);
    if (!planner) planners.set(source, (planner = new SourcePlanner(source)));
    const plan = planner.next();
    yield { source, label: labelOf(plan.kind, plan.who.name), deliver: (till) => tillDelivery(plan, till.keys, till.squareUrl, till.book) };
  }
}
