import { createHash } from 'node:crypto';
import { adyenDelivery, adyenPspReference, adyenTerminalDelivery, type AdyenScenario, type AdyenTerminalScenario } from './adyen-events';
import { cloverDelivery, cloverId, type CloverDelivery, type CloverScenario } from './clover-events';
import { genericDelivery, type GenericScenario } from './generic-events';
import { squareDelivery, squarePaymentId, type SquareScenario } from './square-events';
import { sumupDelivery, type SumUpDelivery, type SumUpScenario } from './sumup-events';
import { uuidV1Like, zettleDelivery, type ZettleScenario } from './zettle-events';

/**
 * One till's deliveries for the sources other than Stripe (whose day is shop-scenario.ts), built with the
 * per-source simulators: what happened at the counter (a chip payment, a decline, a refund of an earlier sale…)
 * in the format, ids and signature of each processor. Every engine's till gets its own deliveries with its own
 * ids, so each engine records its own copy of the day.
 */
export type TillSource = 'square' | 'adyen' | 'adyen-terminal' | 'zettle' | 'clover' | 'sumup' | 'generic';

/** What happens at the till, in processor-neutral words. */
export type TillKind =
  | 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'fallback' | 'keyed' | 'decline'
  | 'partial_refund' | 'dispute' | 'dispute_won' | 'dispute_lost';

export interface TillCustomer {
  name: string;
  email: string | null;
  phone: string | null;
  /** `fingerprint`: the customer's card as the processors' own card references are made from it, so every
   *  processor knows the same card again (an Adyen alias, a Square fingerprint, a Clover token). */
  card: { brand: 'visa' | 'mastercard' | 'amex'; last4: string; bin: string; fingerprint: string };
}

/** The keys a till signs with: the first of each source's keys (several are accepted while one is rolled). */
export interface TillKeys {
  square: string;
  adyen: string;
  adyenTerminal: { keyIdentifier: string; passphrase: string; keyVersion: number };
  zettle: string;
  clover: string;
  sumup: string;
  generic: string;
}

/** An earlier sale a refund or dispute is about, as this till knows it. */
export interface TillSale {
  /** The processor's id for it: Square payment id, Adyen pspReference, Zettle purchase UUID, Clover payment id, gateway payment id. */
  ref: string;
  amount: number;
}

/** One till's memory of its sales, per source (all tills see the same plan, each with its own ids). */
export type TillBook = Partial<Record<TillSource, TillSale[]>>;

/** What the till does next, the same for every engine. `sale` indexes the till's earlier sales of this source. */
export interface TillPlan {
  source: TillSource;
  kind: TillKind;
  who: TillCustomer;
  /** Minor units of the plan's currency. */
  amount: number;
  sale?: number;
}

export interface TillDelivery {
  body: string;
  headers: Record<string, string>;
  /** The processor's event or notification type, for the log. */
  type: string;
  /** For Clover and SumUp: what their API must answer for this notification. */
  clover?: CloverDelivery;
  sumup?: SumUpDelivery;
}

/** The kinds each processor has (see each simulator for why the others do not exist there). */
export const TILL_KINDS: Record<TillSource, readonly TillKind[]> = {
  square: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'partial_refund', 'dispute', 'dispute_won', 'dispute_lost'],
  adyen: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'partial_refund', 'dispute', 'dispute_won', 'dispute_lost'],
  'adyen-terminal': ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline'],
  zettle: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'partial_refund'],
  clover: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'partial_refund'],
  sumup: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed', 'decline', 'partial_refund', 'dispute'],
  generic: ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed', 'decline', 'partial_refund', 'dispute', 'dispute_won', 'dispute_lost'],
};

/** Kinds that are about an earlier sale of the same till (a refund, a dispute and how it ended). */
export const ABOUT_A_SALE: ReadonlySet<TillKind> = new Set(['partial_refund', 'dispute', 'dispute_won', 'dispute_lost']);
/** Kinds that leave a sale a later refund or dispute can be about. */
export const LEAVES_A_SALE: ReadonlySet<TillKind> = new Set(['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed']);

const BRANDS = {
  square: { visa: 'VISA', mastercard: 'MASTERCARD', amex: 'AMERICAN_EXPRESS' },
  adyen: { visa: 'visa', mastercard: 'mc', amex: 'amex' },
  zettle: { visa: 'VISA', mastercard: 'MASTERCARD', amex: 'AMEX' },
  clover: { visa: 'VISA', mastercard: 'MC', amex: 'AMEX' },
  sumup: { visa: 'VISA', mastercard: 'MASTERCARD', amex: 'AMEX' },
  generic: { visa: 'VISA', mastercard: 'MASTERCARD', amex: 'AMEX' },
} as const;

/**
 * A processor's own reference for the customer's card, the same every time: hex, or `digits` decimal digits (as
 * Adyen's "H" + 15 digit aliases) that fail the Luhn check, so the card-number scrubber leaves them alone.
 */
export function cardRef(fingerprint: string, processor: string, digits?: number): string {
  const h = createHash('sha256').update(`${processor}:${fingerprint}`).digest('hex');
  if (!digits) return h.slice(0, 32);
  const run = BigInt(`0x${h.slice(0, 24)}`).toString().slice(0, digits).padStart(digits, '7');
  return luhnValid(run) ? `${run.slice(0, -1)}${(Number(run.at(-1)) + 1) % 10}` : run;
}

function luhnValid(run: string): boolean {
  let sum = 0;
  for (let i = 0; i < run.length; i++) {
    let d = Number(run[run.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Minor units → the decimal major units Adyen's Terminal API and SumUp write ("12.50"); all currencies here have two decimals. */
const decimal = (minor: number) => (minor / 100).toFixed(2);

/** Square and the generic gateway name the dispute steps differently. */
const DISPUTE_STEP = { dispute: 'dispute_opened', dispute_won: 'dispute_won', dispute_lost: 'dispute_lost' } as const;
const ADYEN_DISPUTE_STEP = { dispute: 'chargeback', dispute_won: 'chargeback_won', dispute_lost: 'chargeback_lost' } as const;

const typeOf = (body: string, read: (o: Record<string, unknown>) => unknown): string => {
  try {
    return String(read(JSON.parse(body) as Record<string, unknown>) ?? '');
  } catch {
    return '';
  }
};

/**
 * The delivery one till sends for a plan, signed with `keys`; `squareUrl` is the notification URL Square signs (the
 * engine's own URL). A sale is added to `book`, so a later plan can refund or dispute it.
 */
export function tillDelivery(plan: TillPlan, keys: TillKeys, squareUrl: string, book: TillBook): TillDelivery {
  const sales = (book[plan.source] ??= []);
  const earlier = plan.sale === undefined ? undefined : sales[plan.sale];
  if (ABOUT_A_SALE.has(plan.kind) && !earlier) throw new Error(`plan ${plan.source} ${plan.kind} names sale #${plan.sale}, which this till has not made`);
  const { who, amount } = plan;
  const kind = plan.kind;
  const remember = (ref: string) => {
    if (LEAVES_A_SALE.has(kind)) sales.push({ ref, amount });
  };
  switch (plan.source) {
    case 'square': {
      const paymentId = earlier?.ref ?? squarePaymentId();
      const scenario: SquareScenario = kind === 'fallback' ? 'swipe' : kind in DISPUTE_STEP ? DISPUTE_STEP[kind as keyof typeof DISPUTE_STEP] : (kind as SquareScenario);
      const d = squareDelivery(scenario, keys.square, {
        notificationUrl: squareUrl,
        paymentId,
        amount: earlier?.amount ?? amount,
        refundAmount: kind === 'partial_refund' ? Math.ceil(earlier!.amount / 2) : undefined,
        currency: 'USD',
        email: who.email ?? undefined,
        card: { brand: BRANDS.square[who.card.brand], last4: who.card.last4, bin: who.card.bin, fingerprint: `sq-1-${cardRef(who.card.fingerprint, 'square')}` },
      });
      remember(paymentId);
      return { body: d.body, headers: d.headers, type: typeOf(d.body, (o) => o.type) };
    }
    case 'adyen': {
      const pspReference = adyenPspReference();
      const scenario: AdyenScenario =
        kind === 'fallback' ? 'swipe' : kind === 'decline' ? 'declined' : kind in ADYEN_DISPUTE_STEP ? ADYEN_DISPUTE_STEP[kind as keyof typeof ADYEN_DISPUTE_STEP] : (kind as AdyenScenario);
      const d = adyenDelivery(scenario, keys.adyen, {
        pspReference,
        originalReference: earlier?.ref,
        amount: kind === 'partial_refund' ? Math.ceil(earlier!.amount / 2) : (earlier?.amount ?? amount),
        currency: 'EUR',
        card: { scheme: BRANDS.adyen[who.card.brand], bin: who.card.bin, last4: who.card.last4, alias: `H${cardRef(who.card.fingerprint, 'adyen', 15)}` },
        shopperEmail: who.email ?? undefined,
      });
      remember(pspReference);
      return { ...d, type: typeOf(d.body, (o) => ((o.notificationItems as Array<{ NotificationRequestItem: { eventCode: string } }>)[0]!.NotificationRequestItem.eventCode)) };
    }
    case 'adyen-terminal': {
      const scenario: AdyenTerminalScenario = kind === 'fallback' ? 'swipe' : kind === 'decline' ? 'declined' : (kind as AdyenTerminalScenario);
      const d = adyenTerminalDelivery(scenario, keys.adyenTerminal, {
        amount: decimal(amount),
        currency: 'EUR',
        card: { scheme: BRANDS.adyen[who.card.brand], bin: who.card.bin, last4: who.card.last4, alias: `H${cardRef(who.card.fingerprint, 'adyen', 15)}` },
        shopperEmail: who.email ?? undefined,
      });
      return { ...d, type: 'PaymentResponse' };
    }
    case 'zettle': {
      const purchaseUuid = uuidV1Like();
      const scenario: ZettleScenario = kind === 'fallback' ? 'swipe' : (kind as ZettleScenario);
      const d = zettleDelivery(scenario, keys.zettle, {
        purchaseUuid,
        refundsPurchaseUuid: earlier?.ref,
        amount: kind === 'partial_refund' ? Math.ceil(earlier!.amount / 2) : amount,
        currency: 'GBP',
        cardType: BRANDS.zettle[who.card.brand],
        bin: who.card.bin,
        last4: who.card.last4,
      });
      remember(purchaseUuid);
      return { ...d, type: typeOf(d.body, (o) => o.eventName) };
    }
    case 'clover': {
      // A refund on Clover is an update of the payment it refunds: the notification names that payment again.
      const paymentId = earlier?.ref ?? cloverId();
      const scenario: CloverScenario = kind === 'fallback' ? 'swipe' : (kind as CloverScenario);
      const d = cloverDelivery(scenario, keys.clover, {
        paymentId,
        amount: earlier?.amount ?? amount,
        currency: 'USD',
        cardType: BRANDS.clover[who.card.brand],
        first6: who.card.bin,
        last4: who.card.last4,
        token: cardRef(who.card.fingerprint, 'clover'),
      });
      remember(paymentId);
      return { body: d.body, headers: d.headers, type: kind === 'partial_refund' ? 'UPDATE P:…' : 'CREATE P:…', clover: d };
    }
    case 'sumup': {
      // SumUp's callback names one transaction; a refund or chargeback is an event of its transaction.
      const scenario: SumUpScenario = kind === 'dispute' ? 'chargeback' : (kind as SumUpScenario);
      const d = sumupDelivery(scenario, keys.sumup, { amount: decimal(amount), currency: 'EUR', cardType: BRANDS.sumup[who.card.brand], last4: who.card.last4 });
      remember(String(d.transaction.id));
      return { body: d.body, headers: d.headers, type: typeOf(d.body, (o) => o.event_type), sumup: d };
    }
    case 'generic': {
      const paymentId = earlier?.ref ?? `pay_${cloverId().toLowerCase()}`;
      const scenario: GenericScenario = kind in DISPUTE_STEP ? DISPUTE_STEP[kind as keyof typeof DISPUTE_STEP] : (kind as GenericScenario);
      const d = genericDelivery(scenario, keys.generic, {
        paymentId,
        amount: earlier?.amount ?? amount,
        refundAmount: kind === 'partial_refund' ? Math.ceil(earlier!.amount / 2) : undefined,
        currency: 'USD',
        customer: { email: who.email ?? undefined, name: who.name, phone: who.phone },
        card: { network: BRANDS.generic[who.card.brand], last4: who.card.last4, paymentMethodId: `pm_${cardRef(who.card.fingerprint, 'generic').slice(0, 24)}` },
      });
      remember(paymentId);
      return { body: d.body, headers: d.headers, type: typeOf(d.body, (o) => o.type) };
    }
  }
}
