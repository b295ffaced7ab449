import { DISPUTE_AMOUNT_UNSTATED, type EntryMode, type PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import type { SourceContext } from './source';
import { canLookUp, completedRefundTotal, crossTenderOf, listsRefundIds, lookUpPayment, saysRefunded } from './square-api';
import { cardPresence, chargedMoney, squareCard, squareMoney, statedSquareMoney } from './square-card';
import type { SquareCredentials } from './square-credentials';
import { compact, finish, hintsFor, isoTime, paymentDraft, paymentTime, terminalOf, type Draft } from './square-payment';
import { obj, trimmedStr, type Obj } from '../json/json-values';

export const SQUARE_HANDLED_EVENT_TYPES = [
  'payment.created',
  'payment.updated',
  'refund.created',
  'refund.updated',
  'dispute.created',
  'dispute.state.updated',
  // The deprecated name of dispute.state.updated, which subscriptions on older API versions still receive.
  'dispute.state.changed',
] as const;

/** What verify hands to normalize: the verified event and whether it came from a production account. */
export interface SquareDeliveryItem {
  squareEvent: Obj;
  livemode: boolean;
}

/** Refunds move money only once COMPLETED; a PENDING one may still be REJECTED or FAILED. */
const REFUND_STATUS_WHY: Record<string, string> = {
  PENDING: 'the refund is pending; it is recorded when refund.updated reports it COMPLETED',
  REJECTED: 'the refund was rejected: no money went back',
  FAILED: 'the refund failed: no money went back',
};

/**
 * Square's dispute states → the PaymentEvent convention (see disputePhase): open while Square or the bank still
 * decides; "succeeded" when the merchant keeps the money (WON, or an inquiry closed without a chargeback);
 * "refunded" when it went back to the cardholder (LOST, or ACCEPTED by the merchant).
 */
const DISPUTE_OUTCOMES: Record<string, PaymentEvent['status']> = {
  WON: 'succeeded',
  INQUIRY_CLOSED: 'succeeded',
  LOST: 'refunded',
  ACCEPTED: 'refunded',
};

/** One verified Square event → at most one PaymentEvent. */
export async function normalizeSquareEvent(item: unknown, credentials: SquareCredentials, ctx: SourceContext): Promise<PaymentEvent[]> {
  const wrapped = obj(item);
  const event = obj(wrapped?.squareEvent) ?? wrapped;
  const livemode = typeof wrapped?.livemode === 'boolean' ? wrapped.livemode : true;
  const type = trimmedStr(event?.type);
  const eventId = trimmedStr(event?.event_id);
  const data = obj(event?.data);
  if (!event || !type || !eventId || !data) {
    throw new InputError('event', 'this is not a Square webhook event (merchant_id, type, event_id, data)', 'pass the verified webhook body unchanged');
  }
  if (!(SQUARE_HANDLED_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new IgnoredEventError(type, `only ${SQUARE_HANDLED_EVENT_TYPES.join(', ')} are processed`);
  }
  const object = obj(data.object) ?? {};
  const envelope = { merchant_id: trimmedStr(event.merchant_id) };
  if (type.startsWith('payment.')) {
    const given = required(obj(object.payment), 'data.object.payment');
    // data.id is the id of the object the event is about: the payment's, should the payment itself leave it null.
    const payment = trimmedStr(given.id) || !trimmedStr(data.id) ? given : { ...given, id: trimmedStr(data.id) };
    const draft = await paymentDraft(type, payment, credentials, ctx);
    return [finish(eventId, type, paymentTime(payment) ?? isoTime(event.created_at) ?? ctx.now().toISOString(), livemode, draft, envelope)];
  }
  if (type.startsWith('refund.')) {
    const refund = required(obj(object.refund), 'data.object.refund');
    const draft = await refundDraft(type, refund, credentials, ctx);
    return [finish(eventId, type, isoTime(refund.updated_at) ?? isoTime(event.created_at) ?? ctx.now().toISOString(), livemode, draft, envelope)];
  }
  // Square's webhook reference nests the dispute under "dispute"; the SDK's generated types say "object".
  const dispute = required(obj(object.dispute) ?? obj(object.object), 'data.object.dispute');
  const draft = await disputeDraft(type, dispute, trimmedStr(data.id), credentials, ctx);
  return [finish(eventId, type, isoTime(event.created_at) ?? ctx.now().toISOString(), livemode, draft, envelope)];
}

function required(o: Obj | undefined, field: string): Obj {
  if (!o) throw new InputError(field, 'is missing from the Square event', 'pass the verified webhook body unchanged');
  return o;
}

/**
 * A COMPLETED refund of a card payment. Square's refund carries its own amount and id. With an access token the
 * payment and its other refunds are read (GetPayment, GetPaymentRefund), so `refundedTotal` is exact and the ledger
 * takes it as the payment's running total (and a full refund is `refunded`). Without one, when that read fails, or
 * when the payment read says it was refunded (`refunded_money`) but lists no `refund_ids` (the SDK allows it, and
 * its other refunds cannot then be read), the refund counts by its own id and amount (two partial refunds of one payment both count; refund.created and
 * refund.updated of one refund count it once).
 */
async function refundDraft(type: string, refund: Obj, credentials: SquareCredentials, ctx: SourceContext): Promise<Draft> {
  const refundStatus = trimmedStr(refund.status) ?? 'UNKNOWN';
  if (refundStatus !== 'COMPLETED') throw new IgnoredEventError(type, REFUND_STATUS_WHY[refundStatus] ?? `refund status ${refundStatus} is not COMPLETED`);
  const paymentId = trimmedStr(refund.payment_id);
  if (!paymentId) throw new IgnoredEventError(type, 'an unlinked refund names no payment to refund');
  // A cross-tender refund (cash, a gift card…) of a card sale still gives its customer money back; a cash sale's
  // refund in cash looks the same from here, so it counts only once the payment read shows a card sale.
  const destination = crossTenderOf(refund);
  const crossTender = destination !== undefined;
  if (crossTender && !canLookUp(credentials, ctx)) {
    throw new IgnoredEventError(type, `the refund went to ${destination}, not to a card; with an access token the payment is read, and a refund of a card sale in another tender counts`);
  }
  const amount = squareMoney(refund.amount_money, 'amount_money');
  const refundId = trimmedStr(refund.id);
  const problems: string[] = [];
  const draft: Draft = {
    kind: 'refund',
    paymentId,
    amount,
    refundedTotal: amount,
    // Without its id a refund could be counted twice (its created and updated events): it is then a running total.
    ...(refundId ? { refund: { id: refundId, cumulative: false, ...(crossTender ? { toCard: false as const } : {}) } } : {}),
    status: 'partially_refunded',
    terminal: trimmedStr(refund.location_id) ? { locationId: trimmedStr(refund.location_id) } : undefined,
    customerHints: {},
    metadata: compact({
      refund_id: trimmedStr(refund.id),
      refund_status: refundStatus,
      reason: trimmedStr(refund.reason),
      refund_destination: crossTender ? destination : undefined,
      order_id: trimmedStr(refund.order_id),
      location_id: trimmedStr(refund.location_id),
      terminal_refund_id: trimmedStr(refund.terminal_refund_id),
      refund_scope: 'unknown',
    }),
  };
  if (canLookUp(credentials, ctx)) {
    const found = await lookUpPayment(credentials, ctx, paymentId);
    if (found.ok) {
      const payment = found.value;
      const presence = cardPresence(payment);
      if (!presence.present) throw new IgnoredEventError(type, `the refunded payment is not card-present: ${presence.why}`);
      // A payment that says it was refunded but lists no refund_ids gives no running total to trust: the refund
      // counts by its own id and amount, as without a token (a total of this refund alone would hide the others).
      const unlisted = saysRefunded(payment) && !listsRefundIds(payment);
      const total = unlisted ? undefined : await completedRefundTotal(credentials, ctx, payment, { id: trimmedStr(refund.id) ?? '', amount: Number(obj(refund.amount_money)?.amount) });
      if (total?.ok) {
        draft.refundedTotal = squareMoney({ amount: total.value.minor, currency: amount.currency }, 'refunded_total');
        // The exact running total, as refunds recorded before refunds went by their ids were kept too.
        draft.refund = { ...(refundId ? { id: refundId } : {}), cumulative: true, ...(crossTender ? { toCard: false as const } : {}) };
        // A payment read without any amount (the SDK lets Square leave it null) cannot say whether this is all of it.
        const charged = chargedMoney(payment);
        if (charged) {
          draft.status = draft.refundedTotal.minor >= charged.minor ? 'refunded' : 'partially_refunded';
          draft.metadata.refund_scope = draft.status === 'refunded' ? 'full' : 'partial';
        } else problems.push(`payment ${paymentId} as read states no total_money or amount_money, so whether the refund is full is not known`);
      } else problems.push(total?.problem ?? `payment ${paymentId} says it was refunded but lists no refund_ids, so the refund counts by its own id and amount`);
      draft.card = squareCard(payment, presence.entryMode);
      draft.terminal = terminalOf(payment) ?? draft.terminal;
      draft.customerHints = await hintsFor(payment, credentials, ctx, problems);
    } else if (crossTender) {
      throw new IgnoredEventError(type, `the refund went to ${destination}, and its payment could not be read to tell a card sale from a cash one: ${found.problem}`);
    } else problems.push(found.problem);
  }
  if (problems.length > 0) draft.metadata.square_lookup = problems.join('; ');
  return draft;
}

/**
 * A dispute names its payment and the card brand, nothing about the card or the buyer: with an access token the
 * disputed payment is fetched for them (and a dispute of an online payment is ignored, as its sale would be);
 * without one, the payment id ties the dispute to the sale's customer downstream.
 *
 * Its amount is `amount_money`, "the disputed amount, which can be less than the total transaction amount" (SDK
 * Dispute), which the SDK lets Square leave null. A dispute never takes back more than its payment, and the ledger
 * takes a lost one back up to what refunds have not already given (ledger/payment-rules.ts chargebackOf), so a
 * dispute that states no amount is recorded at what its payment charged, as the payment read shows it (the sale's
 * own amount: metadata `dispute_amount: payment_total`, DISPUTE_AMOUNT_UNSTATED). The ledger keeps an amount another
 * report of the dispute stated over that one, in any order (a later report leaving amount_money null does not make a
 * dispute of part of the sale one of all of it). Without that read (no access token, no payment named, the read
 * refused) there is neither an amount nor a currency to record: the event is acknowledged and ignored, with why.
 *
 * A dispute.state.updated (or .changed) reports the dispute's new state: one naming none changes nothing that can be
 * recorded (read as open, it would reopen a dispute already won or lost), so it is acknowledged and ignored. A
 * dispute.created is open by its nature, whatever state it names.
 */
async function disputeDraft(type: string, dispute: Obj, dataId: string | undefined, credentials: SquareCredentials, ctx: SourceContext): Promise<Draft> {
  const disputeId = trimmedStr(dispute.id) ?? trimmedStr(dispute.dispute_id) ?? dataId;
  if (!disputeId) throw new InputError('data.object.dispute.id', 'the Square dispute has no id', 'pass the verified webhook body unchanged');
  const state = trimmedStr(dispute.state);
  if (!state && type !== 'dispute.created') throw new IgnoredEventError(type, 'the dispute names no state, so nothing it changed can be recorded');
  const locationId = trimmedStr(dispute.location_id);
  const disputedPaymentId = trimmedStr(obj(dispute.disputed_payment)?.payment_id);
  const stated = statedSquareMoney(dispute.amount_money, 'amount_money');
  const problems: string[] = [];
  let payment: Obj | undefined;
  let entryMode: EntryMode = 'unknown';
  if (canLookUp(credentials, ctx) && disputedPaymentId) {
    const found = await lookUpPayment(credentials, ctx, disputedPaymentId);
    if (found.ok) {
      const presence = cardPresence(found.value);
      if (!presence.present) throw new IgnoredEventError(type, `the disputed payment is not card-present: ${presence.why}`);
      payment = found.value;
      entryMode = presence.entryMode;
    } else problems.push(found.problem);
  }
  const amount = stated ?? (payment ? chargedMoney(payment) : undefined);
  if (!amount) throw new IgnoredEventError(type, unstatedAmountWhy(disputedPaymentId, canLookUp(credentials, ctx), payment, problems));
  const draft: Draft = {
    kind: 'dispute',
    paymentId: disputedPaymentId ?? disputeId,
    amount,
    status: DISPUTE_OUTCOMES[state ?? ''] ?? 'disputed',
    terminal: locationId ? { locationId } : undefined,
    customerHints: {},
    dispute: { id: disputeId, reason: trimmedStr(dispute.reason), processorStatus: state },
    metadata: compact({
      location_id: locationId,
      card_brand: trimmedStr(dispute.card_brand),
      brand_dispute_id: trimmedStr(dispute.brand_dispute_id),
      due_at: trimmedStr(dispute.due_at),
      [DISPUTE_AMOUNT_UNSTATED.key]: stated ? undefined : DISPUTE_AMOUNT_UNSTATED.value,
    }),
  };
  if (payment) {
    draft.card = squareCard(payment, entryMode);
    draft.terminal = terminalOf(payment) ?? draft.terminal;
    draft.customerHints = await hintsFor(payment, credentials, ctx, problems);
  }
  if (problems.length > 0) draft.metadata.square_lookup = problems.join('; ');
  return draft;
}

/** Why a dispute that states no amount_money is not recorded: what would have given its amount, and what did not. */
function unstatedAmountWhy(paymentId: string | undefined, lookups: boolean, payment: Obj | undefined, problems: string[]): string {
  const none = 'the dispute states no amount_money';
  if (!paymentId) return `${none} and names no disputed payment whose amount it could be recorded at`;
  if (!lookups) return `${none}; with an access token (PAYMENTS_READ) its payment ${paymentId} is read and the dispute is recorded at what that payment charged`;
  if (!payment) return `${none}, and its payment ${paymentId} could not be read for what it charged: ${problems.join('; ')}`;
  return `${none}, and its payment ${paymentId} as read states no total_money or amount_money either`;
}
