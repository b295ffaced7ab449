import { slackText } from './slack-text';
import type { MatchResult } from '../contracts/customer';
import type { Money } from '../contracts/money';
import type { PaymentEvent } from '../contracts/payment-event';
import type { UpsertResult } from '../contracts/payment-message';
import { InputError } from '../errors';
import { paymentsOf, paymentState, refundAddedBy } from '../ledger/read-payments';
import { isVoided } from '../ledger/payment-rules';
import { enrolmentTakenBack } from '../loyalty/enrolment-taken-back';
import { normalizeEmail } from '../match/normalize-keys';
import type { LoyaltyResult } from '../loyalty/loyalty-step';
import type { MembershipEvent } from '../loyalty/ledger';
import type { SegmentResult } from '../segment/segment-step';
import { linkedCustomerId, readTokenizedEvent } from '../contracts/payment-message';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { failedPaymentsText, highValueAlertText, loyaltyText, refundText, thankYouText, type RecentPayment } from './compose';
import { declinesExceed, summarizeAttempts } from './decline-rate';
import { attemptsIn, claimMessage, lastMessageAt, recordAttempt, releaseDue, storedCustomer } from './message-store';
import type { MessageKind, OutgoingMessage } from './outgoing-message';
import { releaseTime } from './quiet-hours';
import type { MessageSettings } from './settings';

/** The item as the steps before leave it: the event plus each step's result. */
type Item = PaymentEvent & { match?: MatchResult; crm?: UpsertResult; segment?: SegmentResult; loyalty?: LoyaltyResult; loyaltyEvent?: MembershipEvent };

export interface MessageDeps {
  db: SqlDatabase;
  settings: MessageSettings;
  now?: () => Date;
}

export interface MessageStepResult {
  /** send: hand `items` to the mail or webhook step now; queued: held until quiet hours end (a flush releases it); duplicate: composed before; skipped: see reason. */
  outcome: 'send' | 'queued' | 'duplicate' | 'skipped';
  reason?: string;
  /** The input with `message` added — one item when the outcome is "send", none otherwise. */
  items: Array<Record<string, unknown>>;
  message?: OutgoingMessage;
}

/** A message composed, not yet claimed: the key says what it is about, `customerFacing` puts it under quiet hours. */
interface Draft {
  /** Worded once; its Slack form is derived from it (messageStep). */
  message: Omit<OutgoingMessage, 'slackText'>;
  subjectId: string | null;
  customerFacing: boolean;
}

/**
 * A composer never skips because CRM Upsert or Segment met the event before: another workflow on the same store may
 * have recorded it (Stripe sends each event to every endpoint) and this workflow's message is still owed. What makes
 * a message go once is its key, claimed in messageStep.
 */
type Compose = (item: Item, tx: SqlExecutor, s: MessageSettings, now: Date) => Promise<Draft | { skip: string }>;

function needCrm(item: Item, kind: MessageKind): UpsertResult {
  if (!item.crm || typeof item.crm !== 'object' || !('outcome' in item.crm)) {
    throw new InputError('crm', `the ${kind} message needs the CRM Upsert result on the item`, 'put this node after CRM Upsert (or after a step that keeps its result, such as Segment or Loyalty Enroll)');
  }
  if (linkedCustomerId(item.crm) === undefined) {
    throw new InputError('crm.customerId', `is ${JSON.stringify(item.crm.customerId) ?? 'missing'}, neither the customer CRM Upsert linked nor null (nobody)`, 'pass the CRM Upsert result on unchanged');
  }
  return item.crm;
}

const locationOf = (item: Item, s: MessageSettings) => {
  const id = item.terminal?.locationId;
  return id ? (s.locationNames[id] ?? id) : undefined;
};

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The number an SMS can go to: the phone Match Customer keyed the payment by (already E.164), else the one the
 * store keeps for the customer. Anything else (a local spelling, an extension) is no number to text.
 */
function phoneOf(item: Item, stored: { phone?: string }): string | undefined {
  // (The match is only read here, for a number: one a flow changed into something else is none.)
  const keys: unknown = item.match?.keys;
  const keyed = Array.isArray(keys) ? (keys as unknown[]).find((k): k is { value: unknown } => !!k && typeof k === 'object' && (k as { kind?: unknown }).kind === 'phone')?.value : undefined;
  const phone = typeof keyed === 'string' ? keyed : stored.phone;
  return phone && E164.test(phone) ? phone : undefined;
}

/**
 * Why a sale is owed no thank-you any more, as the ledger knows it now: voided by the processor, or all of it given
 * back (refunds, a lost dispute). Its refund may arrive before it (Stripe does not promise order), and quiet hours
 * hold a thank-you for hours in which the clerk may refund the sale. A partly refunded sale was still made.
 */
async function noLongerThanked(tx: SqlExecutor, source: string, paymentId: string): Promise<string | null> {
  const ledger = await paymentState(tx, source, paymentId);
  if (!ledger?.counted) return null;
  if (ledger.status === 'failed') return 'the processor voided the sale: no money moved';
  if (ledger.status === 'refunded') return 'the payment was refunded in full';
  return null;
}

/** A welcome is owed no more once a void took back the membership it was for (quiet hours may hold it for hours). */
const noLongerWelcomed = async (tx: SqlExecutor, change: Partial<MembershipEvent>): Promise<boolean> =>
  change.type === 'enrolled' && typeof change.programId === 'string' && typeof change.customerId === 'string'
  && (await enrolmentTakenBack(tx, change.programId, change.customerId));

/**
 * The payment's own address as written, when it is one. A receipt address with a typo, or with a run of digits the
 * source took out as a card number, is none: the customer's record (which CRM Upsert kept only valid) is written to
 * instead, rather than a mail that cannot be delivered.
 */
const addressIn = (email: string | undefined): string | undefined => (normalizeEmail(email) ? email!.trim() : undefined);

const thankYou: Compose = async (item, tx, s) => {
  const crm = needCrm(item, 'thank-you');
  if (item.kind !== 'payment') return { skip: `only a completed payment is thanked; this is a ${item.kind}` };
  if (item.status !== 'succeeded') return { skip: `the payment is ${item.status}, not succeeded` };
  const gone = await noLongerThanked(tx, item.source, item.paymentId);
  if (gone) return { skip: gone };
  const stored = await storedCustomer(tx, crm.customerId);
  const to = addressIn(item.customerHints.email) ?? stored.email ?? '';
  const phone = phoneOf(item, stored);
  if (!to && !phone) return { skip: 'no email address or phone number is known for this customer' };
  const name = item.customerHints.name ?? stored.name;
  const words = thankYouText(s, { name, amount: item.amount, location: locationOf(item, s) });
  return {
    // One message (one key) for mail and SMS alike: a payment is thanked once, on every channel the flow sends.
    message: { kind: 'thank-you', key: `thank-you:${item.source}:${item.paymentId}`, to, ...(phone ? { phone } : {}), ...words, ...(name ? { customerName: name } : {}) },
    subjectId: crm.customerId,
    customerFacing: true,
  };
};

async function recentPayments(tx: SqlExecutor, customerId: string, count: number, now: Date): Promise<RecentPayment[]> {
  if (count === 0) return [];
  const found: RecentPayment[] = [];
  let cursor: string | null = null;
  // The ledger has no index by customer (see store/schema/ledger.ts): a year of payments, a few pages at most.
  for (let page = 0; page < 20; page++) {
    const res = await paymentsOf(tx, { customerId, since: new Date(now.getTime() - 366 * 86_400_000).toISOString(), limit: 1000, cursor });
    // A void sale is not one of the customer's payments (the ledger no longer counts it): not listed either.
    for (const p of res.payments) if (p.counted && !isVoided(p)) found.push({ occurredAt: p.occurredAt, amount: { minor: p.grossMinor, currency: p.currency }, refunded: { minor: p.refundedMinor, currency: p.currency } });
    if (!(cursor = res.next)) break;
  }
  return found.slice(-count).reverse();
}

const highValue: Compose = async (item, tx, s, now) => {
  const crm = needCrm(item, 'high-value-alert');
  const segment = item.segment;
  if (!segment || typeof segment !== 'object') {
    throw new InputError('segment', 'the high-value alert needs the Segment result on the item', 'put this node after Segment Customer (On Payment)');
  }
  if (item.kind !== 'payment') return { skip: `a ${item.kind} does not make a customer high value` };
  if (segment.flags?.highValue !== true) return { skip: 'the customer is not high value' };
  if (!crm.customerId) return { skip: 'the payment is not linked to a customer' };
  const stored = await storedCustomer(tx, crm.customerId);
  const name = item.customerHints.name ?? stored.name ?? item.customerHints.email ?? stored.email ?? crm.customerId;
  const currency = segment.currency || item.amount.currency;
  const lifetime: Money = { minor: segment.stats?.netMinor ?? item.amount.minor, currency };
  const words = highValueAlertText(s, {
    name,
    amount: item.amount,
    location: locationOf(item, s),
    segment: segment.name ?? null,
    lifetime,
    payments: segment.stats?.payments ?? 1,
    recent: await recentPayments(tx, crm.customerId, s.recentPayments, now),
  });
  return {
    message: { kind: 'high-value-alert', key: `high-value-alert:${item.source}:${item.paymentId}`, to: s.to, ...words, customerName: name },
    subjectId: crm.customerId,
    customerFacing: false,
  };
};

const loyaltyWelcome: Compose = async (item, tx, s) => {
  const change = item.loyaltyEvent;
  if (!change || typeof change !== 'object' || !('type' in change)) {
    throw new InputError('loyaltyEvent', 'the loyalty message needs an enrollment or tier change on the item', 'connect this node to the second output of Loyalty Enroll ("Enrolled / Tier Changed")');
  }
  if (await noLongerWelcomed(tx, change)) return { skip: 'the sale that enrolled them was voided, and their membership with it' };
  const stored = await storedCustomer(tx, change.customerId);
  const to = addressIn(item.customerHints?.email) ?? stored.email;
  if (!to) return { skip: 'no email address is known for this member' };
  const member = item.loyalty?.member;
  const tier = member?.tier ?? (change.type === 'tier-changed' ? change.to : null);
  const points = member?.pointsBalance ?? 0;
  const name = item.customerHints?.name ?? stored.name;
  const words = loyaltyText(s, { name, change, tier, points });
  const what = change.type === 'enrolled' ? 'enrolled' : `tier:${change.to ?? ''}`;
  return {
    message: { kind: 'loyalty-welcome', key: `loyalty-welcome:${change.programId}:${change.customerId}:${what}:${change.at}`, to, ...words, tier, points, ...(name ? { customerName: name } : {}) },
    subjectId: change.customerId,
    customerFacing: true,
  };
};

const refund: Compose = async (item, tx, s) => {
  const crm = needCrm(item, 'refund');
  if (item.kind !== 'refund') return { skip: `not a refund; this is a ${item.kind}` };
  // The cardholder was told of the refund; its failure is the merchant's to settle with them, not a mail we write.
  if (item.refund?.reversed) return { skip: 'the processor reversed this refund: no money went back to the cardholder' };
  const stored = await storedCustomer(tx, crm.customerId);
  const to = addressIn(item.customerHints.email) ?? stored.email;
  if (!to) return { skip: 'no email address is known for this customer' };
  const ledger = await paymentState(tx, item.source, item.paymentId);
  const currency = item.amount.currency;
  // What this refund gave back, as the ledger recorded it: Stripe reports the running total (1.000, then 1.500 for
  // a second refund of 0.500), Adyen and Square each refund's own amount, and a customer told of each refund reads
  // the same either way. An event that adds nothing (a total already told arriving late, a second event about one
  // refund) has nothing new to tell. Unrecorded (never, after CRM Upsert): what the event itself says.
  const added = await refundAddedBy(tx, item.id);
  if (added === 0) return { skip: 'this event reports no refund beyond those already counted for the payment: nothing new went back to the card' };
  const refundedMinor = added ?? (item.refund?.cumulative === false ? item.amount.minor : (item.refundedTotal?.minor ?? item.amount.minor));
  const payment = ledger?.counted ? { minor: ledger.grossMinor, currency: ledger.currency } : null;
  const pointsTakenBack = -(item.loyalty?.entries ?? []).filter((e) => e.kind === 'reverse').reduce((sum, e) => sum + e.points, 0);
  const name = item.customerHints.name ?? stored.name;
  const words = refundText(s, {
    name,
    refunded: { minor: refundedMinor, currency },
    payment,
    location: locationOf(item, s),
    pointsTakenBack,
    pointsBalance: item.loyalty?.member?.pointsBalance ?? null,
    toCard: item.refund?.toCard !== false,
  });
  return {
    message: { kind: 'refund', key: `refund:${item.id}`, to, ...words, ...(item.loyalty?.member ? { points: item.loyalty.member.pointsBalance } : {}), ...(name ? { customerName: name } : {}) },
    subjectId: crm.customerId,
    customerFacing: true,
  };
};

const failedPayments: Compose = async (item, tx, s, now) => {
  if (item.kind !== 'payment' && item.kind !== 'failure') return { skip: `a ${item.kind} is not a payment attempt` };
  // A capture that failed or a transaction cancelled after the sale happened between banks, not at the terminal.
  if (item.sale) return { skip: 'the processor reported on a sale already made (voided or captured), not a payment attempt' };
  const rule = s.declines;
  const place = rule.per === 'terminal' ? (item.terminal?.readerId ?? item.terminal?.locationId) : item.terminal?.locationId;
  const scope = `${rule.per}:${place ?? 'unknown'}`;
  const failed = item.kind === 'failure';
  const reason = failed ? [item.failure?.code, item.failure?.message].filter(Boolean).join(': ') || null : null;
  // A decline is an attempt of its own (a PaymentIntent declined twice, then paid, was three attempts); a sale is one
  // attempt however many events report it (Stripe's payment_intent.succeeded and charge.succeeded, Adyen's
  // authorisation and capture), or the sales would count twice and hide the declines' rate.
  const attemptId = failed ? item.id : `sale:${item.source}:${item.paymentId}`;
  await recordAttempt(tx, { attemptId, scope, failed, reason, occurredAt: item.occurredAt });
  if (!failed) return { skip: 'a completed payment (counted for the decline rate)' };
  const end = new Date(item.occurredAt);
  const summary = summarizeAttempts(await attemptsIn(tx, scope, new Date(end.getTime() - rule.windowMinutes * 60_000), end));
  if (!declinesExceed(summary, rule)) return { skip: `${summary.declines} of ${summary.attempts} attempts declined in ${rule.windowMinutes} min: below the rule` };
  const last = await lastMessageAt(tx, 'failed-payments', scope);
  if (last && now.getTime() - last.getTime() < rule.windowMinutes * 60_000) return { skip: `an alert for ${scope} went out at ${last.toISOString()}, within the window` };
  const where = place ? `${rule.per} ${rule.per === 'location' ? (s.locationNames[place] ?? place) : place}` : `an unknown ${rule.per}`;
  const words = failedPaymentsText(s, { where, windowMinutes: rule.windowMinutes, summary });
  return { message: { kind: 'failed-payments', key: `failed-payments:${scope}:${item.id}`, to: s.to, ...words }, subjectId: scope, customerFacing: false };
};

const COMPOSERS: Record<MessageKind, Compose> = {
  'thank-you': thankYou,
  'high-value-alert': highValue,
  'loyalty-welcome': loyaltyWelcome,
  refund,
  'failed-payments': failedPayments,
};

function readItem(payload: unknown, kind: MessageKind): Item {
  if (kind === 'loyalty-welcome' && payload && typeof payload === 'object' && !('schemaVersion' in payload)) {
    // Loyalty Enroll's review (Schedule) run sends tier changes without a payment.
    return payload as Item;
  }
  // Tokenized, as every step after Tokenize reads it: the item is kept whole in the store (outgoing_messages) and
  // handed to the mail and Slack steps, so a processor's card fingerprint would travel with it (the decline alert
  // needs no CRM Upsert before it, which otherwise refuses such an event first).
  return { ...(payload as object), ...readTokenizedEvent(payload, 'Terminal Message') } as Item;
}

/**
 * The message step of every template, in every engine: composes the message this item calls for (or says why
 * none), claims its key so it goes once, and holds customer messages composed in quiet hours until they end.
 * One transaction: the claim, the queue and the decline counts commit together.
 */
export async function messageStep(payload: unknown, deps: MessageDeps): Promise<MessageStepResult> {
  const { settings } = deps;
  const now = deps.now?.() ?? new Date();
  const item = readItem(payload, settings.kind);
  return deps.db.transaction(async (tx) => {
    const draft = await COMPOSERS[settings.kind](item, tx, settings, now);
    if ('skip' in draft) return { outcome: 'skipped', reason: draft.skip, items: [] } as MessageStepResult;
    const due = draft.customerFacing ? releaseTime(now, settings.quietHours) : now;
    const queued = due.getTime() > now.getTime();
    const worded: OutgoingMessage = { ...draft.message, slackText: slackText(draft.message.text) };
    const message: OutgoingMessage = queued ? { ...worded, queuedUntil: due.toISOString() } : worded;
    const out = { ...(payload as object), message } as Record<string, unknown>;
    const claimed = await claimMessage(tx, { key: message.key, kind: message.kind, subjectId: draft.subjectId, dueAt: due, queued, item: out, now });
    if (!claimed) return { outcome: 'duplicate', reason: `"${message.key}" was composed before`, items: [], message } as MessageStepResult;
    return queued ? { outcome: 'queued', items: [], message } : { outcome: 'send', items: [out], message };
  });
}

/**
 * The queued messages whose quiet hours have ended, each handed out once: run it on a schedule before the mail step.
 * `kind`: only messages of that kind, so each template's schedule sends its own through its own steps (a thank-you's
 * SMS too) when several share a store; none: every kind. A thank-you whose sale was voided or refunded in full while
 * it waited is withdrawn, not handed out, and so is a welcome whose membership a void took back.
 */
export async function flushQueuedMessages(db: SqlDatabase, now = new Date(), limit = 100, kind?: MessageKind): Promise<Array<Record<string, unknown>>> {
  const withdraw = async (tx: SqlExecutor, kind: string, item: object) => {
    const { source, paymentId, loyaltyEvent } = item as Partial<Item>;
    if (kind === 'loyalty-welcome') return !!loyaltyEvent && typeof loyaltyEvent === 'object' && (await noLongerWelcomed(tx, loyaltyEvent));
    return kind === 'thank-you' && typeof source === 'string' && typeof paymentId === 'string' && (await noLongerThanked(tx, source, paymentId)) !== null;
  };
  return (await releaseDue(db, now, limit, withdraw, kind)) as Array<Record<string, unknown>>;
}
