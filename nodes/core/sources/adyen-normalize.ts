import { PAYMENT_EVENT_SCHEMA_VERSION, type PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import { adyenData, cardFromAdyenData, compactStrings, customerHintsFromAdyenData, merchantMetadata, str, terminalFromAdyenData, type AdyenData } from './adyen-fields';
import { adyenMoney } from './adyen-money';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, type Obj } from '../json/json-values';

/**
 * Which of Adyen's event codes count as what (https://docs.adyen.com/api-explorer/Webhooks/1/overview).
 *
 * A terminal sale with automatic capture is its AUTHORISATION (success "true"): that is the moment the shop has
 * the money, and the only event that carries the card, the terminal and the shopper. A CAPTURE of the same payment
 * (manual capture, or an account that sends capture webhooks) is passed on as a `payment` too, under the same
 * paymentId (its originalReference is the authorisation's pspReference), with `sale.captureId` its own pspReference:
 * the ledger records one payment per paymentId and never takes a capture for the sale, in whatever order Adyen
 * delivers them; it counts each capture's amount once (a part capture's part) to say what the sale brought.
 */
const PAYMENT_CODES = ['AUTHORISATION', 'CAPTURE'] as const;
/**
 * Money back to the cardholder: a refund, or a cancelled authorisation. A cancellation (CANCELLATION, a
 * TECHNICAL_CANCEL — the outcome of a cancel by the merchant's own reference —, or a CANCEL_OR_REFUND whose action was
 * cancel) releases what no capture took of the authorisation, as an authorisation that expires does (EXPIRE: "the
 * remaining uncaptured amount expired", for manual capture). Each goes as a void of the sale (`sale.voided` with no
 * capture id, as Clover's voids and SumUp's cancellations): with nothing captured the sale did not happen, so it is no
 * payment or visit and sends no refund message, whether it is heard before or after the AUTHORISATION; after part
 * captures (an account with multiple partial captures) only the rest is released, which the ledger works out from the
 * captures, in whatever order they come.
 */
const REFUND_CODES = ['REFUND', 'CANCELLATION', 'CANCEL_OR_REFUND'] as const;
const AUTHORISATION_RELEASE_CODES = ['TECHNICAL_CANCEL', 'EXPIRE'] as const;
/**
 * An unreferenced refund: money paid to the card presented at the terminal, naming no payment (Adyen's "Outcome of a
 * refund": REFUND_WITH_DATA answers an unreferenced refund, CANCEL_OR_REFUND a referenced one). Its additionalData
 * carries the card (RefundWithDataAdditionalData: cardSummary, cardBin, alias, expiryDate…) and the terminal, and no
 * shopper. It is a payment of its own under its pspReference (refund.unreferenced): no sale of ours will come for it.
 * Adyen's example item carries an originalReference, which an unreferenced refund has no sale for; it is kept in the
 * metadata only.
 */
const UNREFERENCED_REFUND_CODES = ['REFUND_WITH_DATA'] as const;
/**
 * An unreferenced refund cancelled before it was carried out (an account with delayed POS refunds, /voidPendingRefund;
 * "it is not possible to cancel a referenced refund"): it gave nothing back. Its originalReference is the refund's
 * pspReference, which is the refund's own payment (see UNREFERENCED_REFUND_CODES), so it reverses that refund there,
 * in either order, as a REFUND_FAILED does.
 */
const REFUND_VOID_CODES = ['VOID_PENDING_REFUND'] as const;
/**
 * Adyen could not collect money it had reported as on its way: the card scheme rejected the capture
 * (https://docs.adyen.com/online-payments/capture/failure-reasons). That capture moved no money, so it goes as a void
 * of it (`sale.voided`, `sale.captureId` the capture's pspReference, `amount` what it was to collect); when Adyen
 * re-captures it, a CAPTURE with success "true" (reason "Transaction Recaptured" or "Transaction Auto-recaptured")
 * says money moved for it again. Every successful CAPTURE carries that, and the later of the two by eventDate
 * decides, so a capture before the failure does not undo it. What a failed capture takes off the sale (all of it,
 * or the part one of several part captures was to collect) is the ledger's to say: it knows the sale's amount.
 */
const FAILURE_CODES = ['CAPTURE_FAILED'] as const;
/**
 * A pre-authorisation raised or lowered before its capture (a bar tab, a hotel stay: "Update an authorised amount",
 * https://docs.adyen.com/online-payments/adjust-authorisation): `amount` is the updated amount, the whole of what the
 * authorisation now holds, and originalReference the payment. It goes as a report on the sale (`sale.adjusted`) under
 * the payment's id; the ledger says what it makes of the sale. No money moved, and none did when Adyen refused it
 * (success "false": the authorisation stands as it was).
 */
const ADJUSTMENT_CODES = ['AUTHORISATION_ADJUSTMENT'] as const;
/** A re-capture comes under the capture's own pspReference: its reason tells it from the capture that failed. */
const RECAPTURED = /re-?captured/i;
/**
 * Reports that can come more than once for one capture, each time with the same pspReference, code and outcome: a
 * re-captured capture can fail again, and be re-captured again. Each report is a new notification, generated at its
 * own eventDate ("the time when the event was generated"), while a redelivery of one report is that notification
 * again, eventDate and all; so the eventDate tells the reports apart where nothing else does.
 */
const repeatableCaptureReport = (eventCode: string, recaptured: boolean): boolean => isIn(FAILURE_CODES, eventCode) || recaptured;
/**
 * A refund that gave nothing back after all: the scheme refused it (REFUND_FAILED), or the refunded money came back
 * to the merchant (REFUNDED_REVERSED). Both name the refund by its pspReference and the payment by originalReference.
 */
const REFUND_REVERSAL_CODES = ['REFUND_FAILED', 'REFUNDED_REVERSED'] as const;
/**
 * The dispute lifecycle (https://docs.adyen.com/risk-management/disputes-api/dispute-notifications), with the
 * pre-arbitration and scheme arbitration stages of Adyen's Webhooks API (Adyen/adyen-openapi, Webhooks-v1): an issuer's
 * pre-arbitration opened (PREARBITRATION_OPEN), accepted or declined by the merchant, withdrawn by the issuer,
 * escalated to the scheme (SCHEME_ARBITRATION) and the scheme's ruling (SCHEME_ARBITRATION_WON, SCHEME_ARBITRATION_LOST).
 */
const DISPUTE_CODES = [
  'NOTIFICATION_OF_CHARGEBACK', 'REQUEST_FOR_INFORMATION', 'CHARGEBACK', 'CHARGEBACK_REVERSED', 'SECOND_CHARGEBACK',
  'PREARBITRATION_WON', 'PREARBITRATION_LOST', 'INFORMATION_SUPPLIED', 'ISSUER_COMMENTS', 'ISSUER_RESPONSE_TIMEFRAME_EXPIRED',
  'DISPUTE_DEFENSE_PERIOD_ENDED', 'PREARBITRATION_OPEN', 'PREARBITRATION_ACCEPTED', 'PREARBITRATION_DECLINED',
  'PREARBITRATION_ISSUER_WITHDRAWN', 'SCHEME_ARBITRATION', 'SCHEME_ARBITRATION_WON', 'SCHEME_ARBITRATION_LOST',
] as const;
/**
 * Codes whose description says nothing of where the money stands, read only by the disputeStatus they carry:
 * ISSUER_COMMENTS, the issuer's "free-text comments with relevant information about the dispute process, such as why
 * the issuer decided to initiate or continue the dispute" (Webhooks-v1), whose example carries no disputeStatus.
 * Without one they are acknowledged and passed on to nothing, rather than guessed: read as open, comments delivered
 * after the dispute was lost reopened it and counted the money Adyen had taken back.
 */
const DISPUTE_CODES_BY_STATUS_ONLY = new Set<string>(['ISSUER_COMMENTS']);

export const ADYEN_HANDLED_EVENT_CODES = [
  ...PAYMENT_CODES, ...ADJUSTMENT_CODES, ...REFUND_CODES, ...AUTHORISATION_RELEASE_CODES, ...UNREFERENCED_REFUND_CODES, ...REFUND_VOID_CODES, ...REFUND_REVERSAL_CODES, ...FAILURE_CODES, ...DISPUTE_CODES,
] as const;

const isIn = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** Where the dispute stands when Adyen sends no disputeStatus (payments processed in Brazil). */
const DISPUTE_OUTCOME_BY_CODE: Record<string, PaymentEvent['status']> = {
  CHARGEBACK_REVERSED: 'succeeded',
  PREARBITRATION_WON: 'succeeded',
  ISSUER_RESPONSE_TIMEFRAME_EXPIRED: 'succeeded',
  SECOND_CHARGEBACK: 'refunded',
  PREARBITRATION_LOST: 'refunded',
  // "You have not defended the dispute within the timeframe, or the defense period ended because you accepted
  // liability for the chargeback": a chargeback not defended is final ("If you accept the dispute, or fail to upload
  // your defense documents, this is the final status", Adyen's dispute flow), so the money stays with the shopper.
  DISPUTE_DEFENSE_PERIOD_ENDED: 'refunded',
  // The merchant's answer to the issuer's pre-arbitration ("Cardholder's bank opened the pre-arbitration case",
  // PREARBITRATION_OPEN). Declined: "The merchant declined the pre-arbitration case" (Webhooks-v1 as Adyen first
  // published the pair, PREARBITRATION_DECLINE, Adyen/adyen-openapi 0a2038f), so the issuer may still withdraw it
  // (PREARBITRATION_ISSUER_WITHDRAWN) or escalate it (SCHEME_ARBITRATION): the dispute stays open. Accepted, the other
  // answer ("The pre-arbitration case was accepted"): the merchant took the liability the issuer claimed, as accepting
  // a chargeback does (disputeStatus Accepted), so the money goes to the cardholder. Without a disputeStatus (Brazil)
  // these codes were ignored before, which left a pre-arbitration accepted counted as money kept.
  PREARBITRATION_ACCEPTED: 'refunded',
  PREARBITRATION_DECLINED: 'disputed',
  // "The pre-arbitration case was withdrawn by the issuer": the issuer gave the case up, the money stays.
  PREARBITRATION_ISSUER_WITHDRAWN: 'succeeded',
  // "The payment scheme has ruled that the issuer is liable for the dispute. The dispute is closed."
  SCHEME_ARBITRATION_WON: 'succeeded',
  // "The payment scheme has ruled that you are liable for the dispute."
  SCHEME_ARBITRATION_LOST: 'refunded',
};

/** Adyen's disputeStatus → the PaymentEvent convention: won keeps the money, lost or accepted returns it. */
function disputeOutcome(code: string, disputeStatus: string | undefined): PaymentEvent['status'] {
  const s = disputeStatus?.toLowerCase();
  if (s === 'won') return 'succeeded';
  if (s === 'lost' || s === 'accepted') return 'refunded';
  if (s) return 'disputed';
  return DISPUTE_OUTCOME_BY_CODE[code] ?? 'disputed';
}

type Draft = Omit<PaymentEvent, 'schemaVersion' | 'id' | 'source' | 'type' | 'occurredAt' | 'livemode' | 'metadata' | 'customerHints'>;

/** One verified item ({live, NotificationRequestItem}) → a PaymentEvent. */
export function normalizeAdyenItem(verified: unknown): PaymentEvent {
  const item = obj(obj(verified)?.NotificationRequestItem);
  const eventCode = str(item?.eventCode);
  const psp = str(item?.pspReference);
  if (!item || !eventCode || !psp) {
    throw new InputError('NotificationRequestItem', 'this is not an Adyen notification item (pspReference, eventCode)', 'pass the item as verify handed it on');
  }
  if (!isIn(ADYEN_HANDLED_EVENT_CODES, eventCode)) {
    throw new IgnoredEventError(eventCode, `only ${ADYEN_HANDLED_EVENT_CODES.join(', ')} are processed`);
  }
  const d = adyenData(item.additionalData);
  const interaction = d.shopperInteraction;
  if (interaction && interaction.toUpperCase() !== 'POS') {
    throw new IgnoredEventError(eventCode, `the payment was not taken at a terminal (shopperInteraction "${interaction}")`);
  }
  const success = String(item.success).toLowerCase() === 'true';
  const base = draftFor(eventCode, success, item, d);
  const occurredAt = new Date(String(item.eventDate ?? ''));
  if (Number.isNaN(occurredAt.getTime())) {
    throw new InputError('eventDate', `"${String(item.eventDate)}" is not a date`, 'Adyen always sends eventDate; check the notification');
  }
  const disputeStatus = isIn(DISPUTE_CODES, eventCode) ? d.disputeStatus : undefined;
  // Adyen has no event id: the item's own pspReference with its event code and outcome names it, and the dispute
  // status tells apart the several CHARGEBACK items one dispute can bring.
  // A re-capture names the capture that failed (its pspReference, code and outcome): it is told apart by its reason;
  // a capture failure and a re-capture, which can each come again for one capture, by their eventDate too.
  const recaptured = eventCode === 'CAPTURE' && success && RECAPTURED.test(str(item.reason) ?? '');
  const reportedAt = repeatableCaptureReport(eventCode, recaptured) ? occurredAt.toISOString() : undefined;
  const eventKey = [psp, eventCode, success ? 'true' : 'false', disputeStatus, recaptured ? 'recaptured' : undefined, reportedAt].filter(Boolean).join(':');
  const draft = {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    id: namespacedEventId('adyen', eventKey),
    source: 'adyen',
    type: eventCode,
    occurredAt: occurredAt.toISOString(),
    livemode: String(obj(verified)!.live).toLowerCase() === 'true',
    ...base,
    terminal: terminalFromAdyenData(d),
    customerHints: customerHintsFromAdyenData(d),
    metadata: {
      ...merchantMetadata(d),
      ...compactStrings({
        eventCode,
        pspReference: psp,
        originalReference: str(item.originalReference),
        merchantReference: str(item.merchantReference),
        merchantAccountCode: str(item.merchantAccountCode),
        paymentMethod: str(item.paymentMethod),
        paymentMethodVariant: d.paymentMethodVariant,
        posEntryMode: d.posEntryMode,
        authCode: d.authCode,
        modificationAction: modificationAction(d),
        disputeStatus: d.disputeStatus,
        chargebackReasonCode: d.chargebackReasonCode,
        refusalReasonRaw: d.refusalReasonRaw,
      }),
    },
  };
  // Scrubbed as every source does: a card number typed into a reference or metadata goes no further than here.
  return scrubbedPaymentEvent(draft, ['pspReference', 'originalReference']);
}

function draftFor(eventCode: string, success: boolean, item: Obj, d: AdyenData): Draft {
  const amount = adyenMoney(obj(item.amount)?.value, obj(item.amount)?.currency, 'amount');
  const psp = str(item.pspReference)!;
  const original = str(item.originalReference);
  const card = cardOf(item, d);
  const reason = str(item.reason);

  if (isIn(DISPUTE_CODES, eventCode)) {
    if (DISPUTE_CODES_BY_STATUS_ONLY.has(eventCode) && !d.disputeStatus) {
      throw new IgnoredEventError(eventCode, 'it carries no disputeStatus, and Adyen does not say where the money stands without one');
    }
    return {
      kind: 'dispute',
      paymentId: original ?? psp,
      amount,
      status: disputeOutcome(eventCode, d.disputeStatus),
      card,
      dispute: { id: psp, reason: reason ?? d.chargebackReasonCode, processorStatus: d.disputeStatus ?? eventCode },
    };
  }
  // A capture request Adyen refused ("the result of the request to capture a payment", success "false"): nothing
  // moved and the authorisation stands, to be captured again, cancelled or left to expire. No card was declined, so
  // it is no failed attempt (a scheme's rejection of a capture is CAPTURE_FAILED).
  if (eventCode === 'CAPTURE' && !success) {
    throw new IgnoredEventError(eventCode, `Adyen did not carry out the capture request (success "false"${reason ? `: ${reason}` : ''}): no money moved and the authorisation stands`);
  }
  if (isIn(ADJUSTMENT_CODES, eventCode)) {
    if (!success) throw new IgnoredEventError(eventCode, `Adyen did not adjust the authorisation (success "false"${reason ? `: ${reason}` : ''}): it stands at its amount`);
    if (!original) throw new IgnoredEventError(eventCode, 'it names no originalReference, so the payment whose authorisation changed is unknown');
    return { kind: 'payment', paymentId: original, amount, status: 'succeeded', card, sale: { voided: false, adjusted: true } };
  }
  if (isIn(FAILURE_CODES, eventCode) || (eventCode === 'AUTHORISATION' && !success)) {
    return {
      kind: 'failure',
      paymentId: eventCode === 'AUTHORISATION' ? psp : (original ?? psp),
      amount,
      status: 'failed',
      card,
      failure: { code: d.refusalReasonCode ?? (eventCode === 'AUTHORISATION' ? undefined : eventCode), message: reason ?? d.refusalReasonRaw },
      // The code is the news, whatever `success` says (Adyen's own example sends "true"); without an
      // originalReference the payment it names is its own pspReference, which no sale of ours has.
      ...(isIn(FAILURE_CODES, eventCode) && original ? { sale: { voided: true, captureId: psp } } : {}),
    };
  }
  if (isIn(PAYMENT_CODES, eventCode)) {
    return {
      kind: 'payment', paymentId: eventCode === 'AUTHORISATION' ? psp : (original ?? psp), amount, status: 'succeeded', card,
      ...(eventCode === 'CAPTURE' ? { sale: { voided: false, captureId: psp } } : {}),
    };
  }
  if (isIn(REFUND_REVERSAL_CODES, eventCode)) {
    // The code is the news, whatever `success` says (integrations are seen sending both).
    // Naming no payment, it reverses an unreferenced refund (REFUND_WITH_DATA), which is its own payment under the
    // refund's pspReference: the refund and its payment are then the same id, as the REFUND_WITH_DATA recorded them.
    return reversalOf(original ?? psp, psp, amount, card);
  }
  if (!success) throw new IgnoredEventError(eventCode, 'Adyen did not carry it out (success "false"), so no money moved');
  if (isIn(REFUND_VOID_CODES, eventCode)) {
    if (!original) throw new IgnoredEventError(eventCode, 'it names no originalReference, so the refund it cancels is unknown');
    return reversalOf(original, original, amount, card);
  }
  if (isIn(UNREFERENCED_REFUND_CODES, eventCode)) {
    return { kind: 'refund', paymentId: psp, amount, refundedTotal: amount, refund: { id: psp, cumulative: false, unreferenced: true }, status: 'refunded', card };
  }
  const cancelled = eventCode === 'CANCELLATION' || isIn(AUTHORISATION_RELEASE_CODES, eventCode) || (eventCode === 'CANCEL_OR_REFUND' && modificationAction(d)?.toLowerCase() === 'cancel');
  if (cancelled) {
    return { kind: 'failure', paymentId: original ?? psp, amount, status: 'failed', card, failure: { code: eventCode, message: reason }, sale: { voided: true } };
  }
  // Adyen names the amount of this refund only, not what is left of the payment, so a refund is "partially refunded".
  return {
    kind: 'refund',
    paymentId: original ?? psp,
    amount,
    refundedTotal: amount,
    // By its own pspReference, which a later REFUND_FAILED or REFUNDED_REVERSED names.
    refund: { id: psp, cumulative: false },
    status: 'partially_refunded',
    card,
  };
}

/** A refund that gave nothing back after all, by its id: the payment keeps it, and the ledger works out its status. */
const reversalOf = (paymentId: string, refundId: string, amount: Draft['amount'], card: Draft['card']): Draft =>
  ({ kind: 'refund', paymentId, amount, refund: { id: refundId, cumulative: false, reversed: true }, status: 'succeeded', card });

/**
 * Whether a CANCEL_OR_REFUND cancelled the authorisation or refunded the capture: additionalData
 * `modification.action` (Adyen's webhook schema CancelOrRefundAdditionalData), `cancel` or `refund`.
 */
const modificationAction = (d: AdyenData): string | undefined => d['modification.action'] ?? d.modificationAction;

/** Only what the item says about the card; modifications and disputes often say nothing. */
function cardOf(item: Obj, d: AdyenData): PaymentEvent['card'] {
  const card = cardFromAdyenData(d, str(item.paymentMethod));
  const known = card.brand || card.last4 || card.bin || card.identity || card.entryMode !== 'unknown';
  return known ? card : undefined;
}
