import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import NexoCrypto from '@adyen/api-library/lib/src/security/nexoCrypto';
import { NexoSecurityManager } from '@adyen/api-library/lib/src/security/clouddevice';
import type { Notification } from '@adyen/api-library/lib/src/typings/notification/notification';
import { NotificationRequestItem } from '@adyen/api-library/lib/src/typings/notification/notificationRequestItem';
import {
  CardData, EventToNotifyType, MessageCategoryType, MessageClassType, MessageType, ObjectSerializer, PaymentInstrumentType, PaymentResult, Response, ResultType,
  type PaymentResponse, type SecurityKey, type TerminalApiRequest, type TerminalApiResponse,
} from '@adyen/api-library/lib/src/typings/terminal/models';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { adyenSource } from '../../../nodes/core/sources/adyen';
import { adyenTerminalSource } from '../../../nodes/core/sources/adyen-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { tempStore, testKeys } from '../../support/temp-store';
import { adyenRequest, assertNoCardNumber, basicAuth, librarySignedItem, memoryInbox } from './adyen-test-support';

/**
 * Conformance with Adyen's own Node library (@adyen/api-library 32.1.0): every delivery here is built as the library's
 * types define it — NotificationRequestItem (typings/notification), the Terminal API models (typings/terminal) — and
 * signed or encrypted by the library itself (HmacValidator.calculateHmac on each item; NexoCrypto.encrypt as its
 * TerminalLocalAPI does, NexoSecurityManager as its cloud device API does). The assertions are what the pack makes of
 * them: amounts, currencies, customer keys, event kinds and what the ledger ends with.
 */

const KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const validator = new HmacValidator();
const Code = NotificationRequestItem.EventCodeEnum;
/**
 * Dispute codes of Adyen's Webhooks API (Adyen/adyen-openapi, json/Webhooks-v1.json: PREARBITRATION_OPEN,
 * PREARBITRATION_ACCEPTED, PREARBITRATION_DECLINED, PREARBITRATION_ISSUER_WITHDRAWN, SCHEME_ARBITRATION,
 * SCHEME_ARBITRATION_WON, SCHEME_ARBITRATION_LOST) that the library's EventCodeEnum (32.1.0) does not list yet; their
 * items are DisputesNotificationRequestItem, the shape of the CHARGEBACK ones.
 */
const Dispute = (code: string) => code as NotificationRequestItem.EventCodeEnum;
const Success = NotificationRequestItem.SuccessEnum;

let minute = 0;
/** Adyen's eventDate: ISO 8601 with an offset; one minute later for every item, so the order of reports is clear. */
const nextEventDate = () => new Date(Date.UTC(2026, 2, 14, 9, minute++)).toISOString().replace('.000Z', '+01:00');

/**
 * One NotificationRequestItem as the library types it, signed by the library: calculateHmac over the item, the
 * signature placed where its validateHMAC reads it (additionalData.hmacSignature).
 */
function signedItem(fields: Partial<NotificationRequestItem> & Pick<NotificationRequestItem, 'pspReference'>, key = KEY): NotificationRequestItem {
  return librarySignedItem({
    amount: { currency: 'EUR', value: 4599 },
    eventCode: Code.Authorisation,
    eventDate: nextEventDate(),
    merchantAccountCode: 'TerminalCrmShopNL',
    merchantReference: 'POS-1042',
    success: Success.True,
    ...fields,
  }, key);
}

/** A standard webhook delivery as the library's Notification type has it: `live` a string, items wrapped. */
const delivery = (items: NotificationRequestItem[], live: 'true' | 'false' = 'false'): Notification => ({
  live,
  notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })),
});

const receive = (body: Notification | string, inbox = memoryInbox()) => receiveWebhook(adyenSource, adyenRequest(body), { credentials: { hmacKey: KEY }, inbox });

/** Received, answered exactly "[accepted]" as Adyen expects, and the events it made. */
async function accepted(body: Notification, inbox = memoryInbox()): Promise<PaymentEvent[]> {
  const out = await receive(body, inbox);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.deepEqual(out.answer, { status: 200, contentType: 'text/plain', body: '[accepted]' });
  return out.events;
}

/** As the event travels on (JSON): a key whose value is undefined is no key. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

async function one(item: NotificationRequestItem, live: 'true' | 'false' = 'false'): Promise<PaymentEvent> {
  const events = await accepted(delivery([item], live));
  assert.equal(events.length, 1);
  return events[0]!;
}

/** The additional data Adyen sends with a terminal AUTHORISATION (AuthorisationNotificationAdditionalData). */
const POS_DATA = {
  authCode: '033899',
  cardBin: '541333',
  cardSummary: '9999',
  expiryDate: '8/2028',
  alias: 'M900978995070104',
  aliasType: 'Default',
  cardHolderName: 'Zoë O\'Brien',
  fundingSource: 'CREDIT',
  paymentMethodVariant: 'mc_applepay',
  posEntryMode: 'CLESS_CHIP',
  shopperInteraction: 'POS',
  shopperReference: 'loyalty-4711',
  shopperEmail: 'zoe@example.com',
  store: 'AMS-Centraal',
  terminalId: 'S1F2-000158213300585',
  tenderReference: 'Ko8B001741947727016',
  'metadata.basket': 'B-77',
};

describe('Adyen standard webhooks built and signed by @adyen/api-library', () => {
  it('a terminal AUTHORISATION: amount, card, terminal, store and the shopper, as its additional data says', async () => {
    const e = await one(signedItem({ pspReference: 'QFQTPCQ8HXSKGK82', paymentMethod: 'mc', reason: '033899:9999:8/2028', operations: [NotificationRequestItem.OperationsEnum.Refund], additionalData: POS_DATA }));
    assert.equal(e.id, 'adyen:QFQTPCQ8HXSKGK82:AUTHORISATION:true');
    assert.deepEqual([e.source, e.type, e.kind, e.status, e.paymentId], ['adyen', 'AUTHORISATION', 'payment', 'succeeded', 'QFQTPCQ8HXSKGK82']);
    assert.deepEqual(e.amount, { minor: 4599, currency: 'EUR' });
    assert.deepEqual(plain(e.card), {
      brand: 'mastercard', last4: '9999', bin: '541333', expMonth: 8, expYear: 2028, funding: 'credit', entryMode: 'contactless', wallet: 'apple_pay',
      identity: { kind: 'fingerprint', value: 'M900978995070104' },
    });
    assert.deepEqual(plain(e.terminal), { readerId: 'S1F2-000158213300585', locationId: 'AMS-Centraal' });
    assert.deepEqual(plain(e.customerHints), { processorCustomerId: 'loyalty-4711', email: 'zoe@example.com', name: 'Zoë O\'Brien' });
    assert.equal(e.metadata.basket, 'B-77');
    assert.equal(e.metadata.merchantReference, 'POS-1042');
    assert.equal(e.occurredAt, new Date(e.occurredAt).toISOString());
    assert.equal(e.livemode, false);
  });

  describe('HMAC: what the library signs, whatever the values', () => {
    const references = ['POS:1042:a', 'C:\\till\\1042', 'back\\slash\\:colon', 'Café Zoë — 東京 ✓ 😀', '', ' padded '];
    for (const merchantReference of references) {
      it(`verifies merchantReference ${JSON.stringify(merchantReference)} and keeps it`, async () => {
        const e = await one(signedItem({ pspReference: 'HMACREF000000001', merchantReference, paymentMethod: 'visa', additionalData: { shopperInteraction: 'POS' } }));
        assert.equal(e.metadata.merchantReference, merchantReference.trim() || undefined);
      });
    }

    it('verifies value 0, an absent originalReference, success "false" and an empty additionalData', async () => {
      const zero = await one(signedItem({ pspReference: 'HMACZERO00000001', amount: { currency: 'EUR', value: 0 } }));
      assert.deepEqual(zero.amount, { minor: 0, currency: 'EUR' });
      const refused = await one(signedItem({ pspReference: 'HMACREFUSED00001', success: Success.False, reason: 'Refused', paymentMethod: 'visa' }));
      assert.deepEqual([refused.kind, refused.status, refused.failure?.message], ['failure', 'failed', 'Refused']);
      const modification = await one(signedItem({ pspReference: 'HMACMOD000000001', originalReference: 'HMACZERO00000001', eventCode: Code.Refund, amount: { currency: 'EUR', value: 1 } }));
      assert.deepEqual([modification.kind, modification.paymentId, modification.amount.minor], ['refund', 'HMACZERO00000001', 1]);
    });

    it('accepts exactly what the library accepts: the signed text joins the fields with ":" unescaped, as Adyen signs them', async () => {
      // A merchantReference "a:b" under account "TerminalCrmShopNL" and a merchantReference "b" under account
      // "TerminalCrmShopNL:a" are one signed text: Adyen's scheme does not tell them apart, and neither may the pack,
      // or it would refuse genuine items whose values hold a colon or a backslash.
      const signed = signedItem({ pspReference: 'COLONS0000000001', merchantReference: 'a:b\\c' });
      const shifted = { ...signed, merchantAccountCode: 'TerminalCrmShopNL:a', merchantReference: 'b\\c' };
      assert.equal(validator.validateHMAC(shifted, KEY), true);
      const [event] = await accepted(delivery([shifted]));
      assert.deepEqual([event!.metadata.merchantAccountCode, event!.metadata.merchantReference], ['TerminalCrmShopNL:a', 'b\\c']);
    });

    it('takes the empty strings Adyen writes for what it has not got as no value: the fallbacks behind them still apply', async () => {
      const empty = { disputeStatus: '', chargebackReasonCode: '', modificationMerchantReferences: '', refusalReasonRaw: '', 'modification.action': '', 'metadata.note': '' };
      const dispute = await one(signedItem({ pspReference: 'EMPTYDISPUTE0001', originalReference: 'EMPTYSALE0000001', eventCode: Code.Chargeback, reason: '', additionalData: empty }));
      assert.deepEqual([dispute.status, plain(dispute.dispute)], ['disputed', { id: 'EMPTYDISPUTE0001', processorStatus: 'CHARGEBACK' }]);
      assert.equal(dispute.metadata.note, undefined);
      const refused = await one(signedItem({ pspReference: 'EMPTYREFUSED0001', success: Success.False, reason: '', additionalData: empty }));
      assert.deepEqual(plain(refused.failure), {});
      const cancelOrRefund = await one(signedItem({ pspReference: 'EMPTYCOR00000001', originalReference: 'EMPTYSALE0000001', eventCode: Code.CancelOrRefund, additionalData: empty }));
      assert.deepEqual([cancelOrRefund.kind, cancelOrRefund.metadata.modificationAction], ['refund', undefined]);
    });

    it('drops an item changed after the library signed it, and passes its genuine neighbour', async () => {
      const genuine = signedItem({ pspReference: 'GENUINE000000001', merchantReference: 'a:b' });
      const tampered = { ...signedItem({ pspReference: 'FORGED0000000002' }), amount: { currency: 'EUR', value: 1 } };
      const out = await receive(delivery([genuine, tampered]));
      assert.deepEqual(out.answer.body, '[accepted]');
      assert.deepEqual(out.events.map((e) => e.paymentId), ['GENUINE000000001']);
      assert.deepEqual(out.report.forged.map((f) => [f.index, f.reference]), [[1, 'FORGED0000000002']]);
    });

    it('reads the signature only where the library puts it (additionalData.hmacSignature), and refuses a delivery whose only item has none', async () => {
      const item = signedItem({ pspReference: 'NOSIGNATURE00001' });
      const signature = item.additionalData!.hmacSignature!;
      const elsewhere = { ...item, additionalData: {}, hmacSignature: signature } as unknown as NotificationRequestItem;
      assert.throws(() => validator.validateHMAC(elsewhere, KEY), /Missing hmacSignature/);
      const out = await receive(delivery([elsewhere]));
      assert.equal(out.status, 401);
      assert.match(out.rejected!, /no additionalData\.hmacSignature/);
    });
  });

  describe('every event code the README says the adyen source reads', () => {
    const SALE = 'SALEPSP000000001';
    const base = { originalReference: SALE, paymentMethod: 'mc', amount: { currency: 'EUR', value: 4599 } };
    const cases: { name: string; item: Partial<NotificationRequestItem>; expect: Partial<PaymentEvent> & { id?: string } }[] = [
      { name: 'CAPTURE', item: { eventCode: Code.Capture, pspReference: 'CAPTURE000000001' }, expect: { kind: 'payment', paymentId: SALE, status: 'succeeded', sale: { voided: false, captureId: 'CAPTURE000000001' } } },
      {
        name: 'CAPTURE_FAILED', item: { eventCode: Code.CaptureFailed, pspReference: 'CAPTURE000000001', reason: 'Capture Failed' },
        expect: { kind: 'failure', paymentId: SALE, status: 'failed', sale: { voided: true, captureId: 'CAPTURE000000001' } },
      },
      { name: 'CANCELLATION', item: { eventCode: Code.Cancellation, pspReference: 'CANCEL0000000001' }, expect: { kind: 'failure', paymentId: SALE, status: 'failed', sale: { voided: true } } },
      {
        name: 'CANCEL_OR_REFUND (cancel)', item: { eventCode: Code.CancelOrRefund, pspReference: 'CANCELREF0000001', additionalData: { 'modification.action': 'cancel' } },
        expect: { kind: 'failure', paymentId: SALE, status: 'failed', sale: { voided: true } },
      },
      {
        name: 'CANCEL_OR_REFUND (refund)', item: { eventCode: Code.CancelOrRefund, pspReference: 'CANCELREF0000002', additionalData: { 'modification.action': 'refund' } },
        expect: { kind: 'refund', paymentId: SALE, status: 'partially_refunded', refund: { id: 'CANCELREF0000002', cumulative: false } },
      },
      { name: 'TECHNICAL_CANCEL', item: { eventCode: Code.TechnicalCancel, pspReference: 'TECHCANCEL000001' }, expect: { kind: 'failure', paymentId: SALE, sale: { voided: true } } },
      { name: 'EXPIRE', item: { eventCode: Code.Expire, pspReference: SALE, originalReference: undefined }, expect: { kind: 'failure', paymentId: SALE, sale: { voided: true } } },
      { name: 'REFUND', item: { eventCode: Code.Refund, pspReference: 'REFUND0000000001', amount: { currency: 'EUR', value: 1500 } }, expect: { kind: 'refund', paymentId: SALE, amount: { minor: 1500, currency: 'EUR' }, refund: { id: 'REFUND0000000001', cumulative: false } } },
      {
        name: 'REFUND_FAILED', item: { eventCode: Code.RefundFailed, pspReference: 'REFUND0000000001', reason: 'Refund Failed' },
        expect: { kind: 'refund', paymentId: SALE, refund: { id: 'REFUND0000000001', cumulative: false, reversed: true } },
      },
      {
        name: 'REFUNDED_REVERSED', item: { eventCode: Code.RefundedReversed, pspReference: 'REFUND0000000001' },
        expect: { kind: 'refund', paymentId: SALE, refund: { id: 'REFUND0000000001', cumulative: false, reversed: true } },
      },
      {
        name: 'REFUND_WITH_DATA', item: { eventCode: Code.RefundWithData, pspReference: 'UNREFREFUND00001', originalReference: undefined, additionalData: { ...POS_DATA } },
        expect: { kind: 'refund', paymentId: 'UNREFREFUND00001', status: 'refunded', refund: { id: 'UNREFREFUND00001', cumulative: false, unreferenced: true } },
      },
      {
        name: 'VOID_PENDING_REFUND', item: { eventCode: Code.VoidPendingRefund, pspReference: 'VOIDREFUND000001', originalReference: 'UNREFREFUND00001' },
        expect: { kind: 'refund', paymentId: 'UNREFREFUND00001', refund: { id: 'UNREFREFUND00001', cumulative: false, reversed: true } },
      },
      {
        name: 'AUTHORISATION_ADJUSTMENT', item: { eventCode: Code.AuthorisationAdjustment, pspReference: 'ADJUST0000000001', amount: { currency: 'EUR', value: 6000 } },
        expect: { kind: 'payment', paymentId: SALE, amount: { minor: 6000, currency: 'EUR' }, sale: { voided: false, adjusted: true } },
      },
      {
        name: 'NOTIFICATION_OF_CHARGEBACK', item: { eventCode: Code.NotificationOfChargeback, pspReference: 'DISPUTE000000001', additionalData: { disputeStatus: 'Undefended', chargebackReasonCode: '4853' } },
        expect: { id: 'adyen:DISPUTE000000001:NOTIFICATION_OF_CHARGEBACK:true:Undefended', kind: 'dispute', paymentId: SALE, status: 'disputed' },
      },
      // "Expired" is a Request for Information's status (Unresponded, Responded, Expired: Adyen's dispute webhooks page):
      // the RFI went unanswered, and "at this stage, no money is withdrawn" (Adyen's dispute flow). Open, no money moved.
      { name: 'REQUEST_FOR_INFORMATION (Expired)', item: { eventCode: Code.RequestForInformation, pspReference: 'DISPUTE000000006', additionalData: { disputeStatus: 'Expired' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'CHARGEBACK (Lost)', item: { eventCode: Code.Chargeback, pspReference: 'DISPUTE000000001', additionalData: { disputeStatus: 'Lost' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      { name: 'CHARGEBACK (Accepted)', item: { eventCode: Code.Chargeback, pspReference: 'DISPUTE000000002', additionalData: { disputeStatus: 'Accepted' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      { name: 'CHARGEBACK_REVERSED', item: { eventCode: Code.ChargebackReversed, pspReference: 'DISPUTE000000001', additionalData: { disputeStatus: 'Won' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'succeeded' } },
      { name: 'SECOND_CHARGEBACK', item: { eventCode: Code.SecondChargeback, pspReference: 'DISPUTE000000001', additionalData: { disputeStatus: 'Lost' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      { name: 'PREARBITRATION_WON', item: { eventCode: Code.PrearbitrationWon, pspReference: 'DISPUTE000000001' }, expect: { kind: 'dispute', paymentId: SALE, status: 'succeeded' } },
      { name: 'PREARBITRATION_LOST', item: { eventCode: Code.PrearbitrationLost, pspReference: 'DISPUTE000000001' }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      { name: 'REQUEST_FOR_INFORMATION', item: { eventCode: Code.RequestForInformation, pspReference: 'DISPUTE000000003' }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'ISSUER_RESPONSE_TIMEFRAME_EXPIRED', item: { eventCode: Code.IssuerResponseTimeframeExpired, pspReference: 'DISPUTE000000003', additionalData: { disputeStatus: 'Won' } }, expect: { kind: 'dispute', status: 'succeeded' } },
      { name: 'DISPUTE_DEFENSE_PERIOD_ENDED', item: { eventCode: Code.DisputeDefensePeriodEnded, pspReference: 'DISPUTE000000003', additionalData: { disputeStatus: 'Lost' } }, expect: { kind: 'dispute', status: 'refunded' } },
      // Not defended in time, or liability accepted: the chargeback stands, with or without a disputeStatus (Brazil).
      { name: 'DISPUTE_DEFENSE_PERIOD_ENDED (no disputeStatus)', item: { eventCode: Code.DisputeDefensePeriodEnded, pspReference: 'DISPUTE000000003' }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      { name: 'PREARBITRATION_OPEN', item: { eventCode: Dispute('PREARBITRATION_OPEN'), pspReference: 'DISPUTE000000004', additionalData: { disputeStatus: 'Pending' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'PREARBITRATION_OPEN (no disputeStatus)', item: { eventCode: Dispute('PREARBITRATION_OPEN'), pspReference: 'DISPUTE000000004' }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'PREARBITRATION_ACCEPTED (Accepted)', item: { eventCode: Dispute('PREARBITRATION_ACCEPTED'), pspReference: 'DISPUTE000000004', additionalData: { disputeStatus: 'Accepted' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      // The merchant's answers to the issuer's pre-arbitration, with no disputeStatus (payments processed in Brazil):
      // accepted, the liability is the merchant's and the money the cardholder's; declined, the issuer may still
      // withdraw or escalate it.
      { name: 'PREARBITRATION_ACCEPTED (no disputeStatus)', item: { eventCode: Dispute('PREARBITRATION_ACCEPTED'), pspReference: 'DISPUTE000000004' }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded', dispute: { id: 'DISPUTE000000004', processorStatus: 'PREARBITRATION_ACCEPTED' } } },
      { name: 'PREARBITRATION_DECLINED (no disputeStatus)', item: { eventCode: Dispute('PREARBITRATION_DECLINED'), pspReference: 'DISPUTE000000004' }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed', dispute: { id: 'DISPUTE000000004', processorStatus: 'PREARBITRATION_DECLINED' } } },
      { name: 'PREARBITRATION_DECLINED (Pending)', item: { eventCode: Dispute('PREARBITRATION_DECLINED'), pspReference: 'DISPUTE000000004', additionalData: { disputeStatus: 'Pending' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      // The issuer's comments say where the money stands only by a disputeStatus (IssuerCommentsNotificationAdditionalData has one).
      { name: 'ISSUER_COMMENTS (Pending)', item: { eventCode: Code.IssuerComments, pspReference: 'DISPUTE000000004', additionalData: { disputeStatus: 'Pending', 'issuerComments.type': 'prearbitration' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'PREARBITRATION_ISSUER_WITHDRAWN (no disputeStatus)', item: { eventCode: Dispute('PREARBITRATION_ISSUER_WITHDRAWN'), pspReference: 'DISPUTE000000004' }, expect: { kind: 'dispute', paymentId: SALE, status: 'succeeded' } },
      { name: 'SCHEME_ARBITRATION', item: { eventCode: Dispute('SCHEME_ARBITRATION'), pspReference: 'DISPUTE000000005', additionalData: { disputeStatus: 'Pending' } }, expect: { kind: 'dispute', paymentId: SALE, status: 'disputed' } },
      { name: 'SCHEME_ARBITRATION_WON (no disputeStatus)', item: { eventCode: Dispute('SCHEME_ARBITRATION_WON'), pspReference: 'DISPUTE000000005' }, expect: { kind: 'dispute', paymentId: SALE, status: 'succeeded' } },
      { name: 'SCHEME_ARBITRATION_LOST (no disputeStatus)', item: { eventCode: Dispute('SCHEME_ARBITRATION_LOST'), pspReference: 'DISPUTE000000005' }, expect: { kind: 'dispute', paymentId: SALE, status: 'refunded' } },
      {
        name: 'SCHEME_ARBITRATION_LOST (Lost)', item: { eventCode: Dispute('SCHEME_ARBITRATION_LOST'), pspReference: 'DISPUTE000000005', additionalData: { disputeStatus: 'Lost', chargebackReasonCode: '10.4' } },
        expect: { id: 'adyen:DISPUTE000000005:SCHEME_ARBITRATION_LOST:true:Lost', kind: 'dispute', paymentId: SALE, status: 'refunded', dispute: { id: 'DISPUTE000000005', reason: '10.4', processorStatus: 'Lost' } },
      },
    ];
    for (const c of cases) {
      it(`${c.name}`, async () => {
        const e = await one(signedItem({ ...base, ...c.item } as NotificationRequestItem));
        const { id, ...fields } = c.expect;
        if (id) assert.equal(e.id, id);
        assert.equal(e.type, c.item.eventCode);
        for (const [k, v] of Object.entries(fields)) assert.deepEqual(plain((e as unknown as Record<string, unknown>)[k]), v, `${c.name}: ${k}`);
        const sent = c.item.amount ?? base.amount;
        if (!('amount' in fields)) assert.deepEqual(e.amount, { minor: sent.value, currency: sent.currency });
      });
    }

    it('acknowledges, and passes nothing on for, what moved no money: CAPTURE, AUTHORISATION_ADJUSTMENT, REFUND, CANCELLATION and EXPIRE with success "false", codes it does not read (OFFER_CLOSED, REPORT_AVAILABLE), and the issuer\'s comments, which say nothing of the money without a disputeStatus (ISSUER_COMMENTS)', async () => {
      const items = [
        signedItem({ ...base, pspReference: 'NOMONEY000000001', eventCode: Code.Capture, success: Success.False, reason: 'Insufficient balance on payment' }),
        signedItem({ ...base, pspReference: 'NOMONEY000000002', eventCode: Code.AuthorisationAdjustment, success: Success.False }),
        signedItem({ ...base, pspReference: 'NOMONEY000000003', eventCode: Code.Refund, success: Success.False, reason: 'Transaction hasn\'t been captured, refund not possible' }),
        signedItem({ ...base, pspReference: 'NOMONEY000000004', eventCode: Code.Cancellation, success: Success.False }),
        signedItem({ ...base, pspReference: 'NOMONEY000000005', eventCode: Code.Expire, success: Success.False }),
        signedItem({ pspReference: 'NOMONEY000000006', eventCode: Code.OfferClosed, paymentMethod: 'ideal' }),
        signedItem({ pspReference: 'settlement_detail_report_2026_03_14.csv', eventCode: Code.ReportAvailable, reason: 'https://ca-test.adyen.com/reports/download' }),
        // The issuer's free-text comments, as Adyen's ISSUER_COMMENTS example (Webhooks-v1) has them: no disputeStatus.
        signedItem({ ...base, pspReference: 'NOMONEY000000009', eventCode: Code.IssuerComments, additionalData: { chargebackReasonCode: '13.3', chargebackSchemeCode: 'visa', 'issuerComments.type': 'chargeback', 'issuerComments.explanation': 'some_text' } }),
      ];
      const out = await receive(delivery(items));
      assert.deepEqual([out.status, out.answer.body, out.events.length, out.report.ignored.length, out.report.forged.length], [200, '[accepted]', 0, items.length, 0]);
    });
  });

  describe('currencies as Adyen writes them (its currency-codes page) and amounts at their extremes', () => {
    const cases: [currency: string, adyenValue: number, isoMinor: number][] = [
      ['EUR', 4599, 4599],
      ['JPY', 1234, 1234],
      ['KRW', 50000, 50000],
      ['BHD', 12345, 12345],
      ['KWD', 1, 1],
      ['JOD', 999999, 999999],
      // Adyen's table: CLP and ISK with two decimals where ISO 4217 has none; CVE and IDR with none where ISO has two.
      ['CLP', 150000, 1500],
      ['ISK', 1000000, 10000],
      ['CVE', 1000, 100000],
      ['IDR', 15000, 1500000],
      ['JPY', 0, 0],
      ['KWD', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
      ['CLP', 9007199254740900, 90071992547409],
    ];
    for (const [currency, value, minor] of cases) {
      it(`${currency} ${value} → ${minor} minor units of ${currency}`, async () => {
        const e = await one(signedItem({ pspReference: `AMOUNT${currency}${String(value).slice(-6)}`, amount: { currency, value } }));
        assert.deepEqual(e.amount, { minor, currency });
      });
    }

    it('refuses, naming the amount, what ISO minor units cannot hold exactly: CLP cents, an IDR amount past 2^53 once scaled, a value past 2^53', async () => {
      const cases: [currency: string, value: number, why: RegExp][] = [
        ['CLP', 123456, /^amount: 123456 CLP in the processor's units has digits below CLP's smallest unit/],
        ['IDR', Number.MAX_SAFE_INTEGER, /^amount: 9007199254740991 IDR in the processor's units is more of IDR's minor units than can be counted exactly/],
        ['EUR', 2 ** 60, /^amount: 1152921504606847000 is more minor units than can be counted exactly/],
      ];
      for (const [currency, value, why] of cases) {
        const out = await receive(delivery([signedItem({ pspReference: `TOOBIG${currency}`, amount: { currency, value } })]));
        assert.equal(out.status, 400, `${currency} ${value}`);
        assert.match(out.rejected!, why, `${currency} ${value}: ${out.rejected}`);
        assert.equal(out.events.length, 0);
      }
    });
  });

  it('reads the delivery\'s live flag, a string, for every item of it', async () => {
    for (const live of ['true', 'false'] as const) {
      const events = await accepted(delivery([signedItem({ pspReference: `LIVE${live}00000001` }), signedItem({ pspReference: `LIVE${live}00000002`, eventCode: Code.Refund, originalReference: `LIVE${live}00000001` })], live));
      assert.deepEqual(events.map((e) => e.livemode), [live === 'true', live === 'true']);
    }
  });

  it('a batch with a malformed item: the others go through, the malformed one is reported, and Adyen gets "[accepted]"', async () => {
    const items = [
      signedItem({ pspReference: 'BATCHGOOD0000001', paymentMethod: 'visa', additionalData: { shopperInteraction: 'POS', alias: 'H167852639363479' } }),
      signedItem({ pspReference: 'BATCHBADCURRENCY', amount: { currency: 'EURO', value: 100 } }),
      signedItem({ pspReference: 'BATCHBADDATE0001', eventDate: 'yesterday' }),
      signedItem({ pspReference: 'BATCHGOOD0000002', eventCode: Code.Refund, originalReference: 'BATCHGOOD0000001', amount: { currency: 'EUR', value: 1000 } }),
    ];
    const body = delivery(items) as unknown as { notificationItems: unknown[] };
    body.notificationItems.push({ NotificationRequestItem: null }, { somethingElse: {} });
    const out = await receive(body as unknown as Notification);
    assert.deepEqual([out.status, out.answer.body], [200, '[accepted]']);
    assert.deepEqual(out.events.map((e) => [e.paymentId, e.kind]), [['BATCHGOOD0000001', 'payment'], ['BATCHGOOD0000001', 'refund']]);
    assert.equal(out.report.ignored.filter((m) => m.startsWith('malformed: ')).length, 2, JSON.stringify(out.report));
    assert.match(out.report.ignored.join('\n'), /EURO/);
    assert.match(out.report.ignored.join('\n'), /eventDate/);
    assert.deepEqual(out.report.forged.map((f) => f.index), [4, 5]);
  });

  describe('what the ledger ends with', () => {
    let store: Awaited<ReturnType<typeof tempStore>>;
    before(async () => {
      store = await tempStore();
    });
    after(async () => {
      await store.remove();
    });
    const record = async (...items: NotificationRequestItem[]) => {
      for (const e of await accepted(delivery(items))) await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(e)), testKeys()), store.crm)], store.crm);
    };
    const ledger = async (paymentId: string) => {
      const p = (await paymentState(store.db, 'adyen', paymentId))!;
      return { currency: p.currency, gross: p.grossMinor, refunded: p.refundedMinor, chargeback: p.chargebackMinor, net: p.netMinor, status: p.status };
    };
    const sale = (pspReference: string, currency: string, value: number, alias: string) =>
      signedItem({ pspReference, amount: { currency, value }, paymentMethod: 'visa', additionalData: { ...POS_DATA, alias, shopperReference: `shopper-${alias}`, shopperEmail: `${alias.toLowerCase()}@example.com` } });

    it('JPY: a refund counts, and its REFUND_FAILED gives it back', async () => {
      await record(sale('JPYSALE000000001', 'JPY', 5000, 'H100000000000001'));
      await record(signedItem({ pspReference: 'JPYREFUND0000001', originalReference: 'JPYSALE000000001', eventCode: Code.Refund, amount: { currency: 'JPY', value: 2000 } }));
      assert.deepEqual(await ledger('JPYSALE000000001'), { currency: 'JPY', gross: 5000, refunded: 2000, chargeback: 0, net: 3000, status: 'partially_refunded' });
      await record(signedItem({ pspReference: 'JPYREFUND0000001', originalReference: 'JPYSALE000000001', eventCode: Code.RefundFailed, reason: 'Refund Failed', amount: { currency: 'JPY', value: 2000 } }));
      assert.deepEqual(await ledger('JPYSALE000000001'), { currency: 'JPY', gross: 5000, refunded: 0, chargeback: 0, net: 5000, status: 'succeeded' });
    });

    it('KWD: a dispute opened, charged back, defended, charged back again and won at pre-arbitration', async () => {
      await record(sale('KWDSALE000000001', 'KWD', 12345, 'H100000000000002'));
      const step = (eventCode: NotificationRequestItem.EventCodeEnum, disputeStatus: string) =>
        signedItem({ pspReference: 'KWDDISPUTE000001', originalReference: 'KWDSALE000000001', eventCode, amount: { currency: 'KWD', value: 12345 }, additionalData: { disputeStatus, chargebackReasonCode: '4853', chargebackSchemeCode: 'visa' } });
      const seen: [string, number, string][] = [];
      for (const [code, status] of [[Code.NotificationOfChargeback, 'Undefended'], [Code.ChargebackReversed, 'Won'], [Code.SecondChargeback, 'Lost'], [Code.PrearbitrationWon, 'Won']] as const) {
        await record(step(code, status));
        const l = await ledger('KWDSALE000000001');
        seen.push([code, l.net, l.status]);
      }
      assert.deepEqual(seen, [
        ['NOTIFICATION_OF_CHARGEBACK', 12345, 'disputed'],
        ['CHARGEBACK_REVERSED', 12345, 'succeeded'],
        ['SECOND_CHARGEBACK', 0, 'refunded'],
        ['PREARBITRATION_WON', 12345, 'succeeded'],
      ]);
    });

    it('EUR: a chargeback defended, then the issuer\'s pre-arbitration, escalated to the scheme and lost there', async () => {
      await record(sale('ARBSALE000000001', 'EUR', 10000, 'H100000000000009'));
      // Shaped as Adyen's PREARBITRATION_LOST example (Webhooks-v1): the dispute's own pspReference, the payment's as
      // originalReference, reason, arn and disputeStatus in additionalData.
      const step = (eventCode: NotificationRequestItem.EventCodeEnum, disputeStatus: string) =>
        signedItem({ pspReference: 'ARBDISPUTE000001', originalReference: 'ARBSALE000000001', eventCode, paymentMethod: 'visa', reason: 'Other Fraud-Card Absent Environment', amount: { currency: 'EUR', value: 10000 }, additionalData: { disputeStatus, arn: '74987506213502300000001', chargebackReasonCode: '10.4', chargebackSchemeCode: 'visa' } });
      const seen: [string, number, string][] = [];
      const steps = [
        [Code.Chargeback, 'Pending'], [Code.ChargebackReversed, 'Won'], [Dispute('PREARBITRATION_OPEN'), 'Pending'], [Dispute('PREARBITRATION_DECLINED'), 'Pending'],
        [Dispute('SCHEME_ARBITRATION'), 'Pending'], [Dispute('SCHEME_ARBITRATION_LOST'), 'Lost'],
      ] as const;
      for (const [code, status] of steps) {
        await record(step(code, status));
        const l = await ledger('ARBSALE000000001');
        seen.push([code, l.net, l.status]);
      }
      assert.deepEqual(seen, [
        ['CHARGEBACK', 10000, 'disputed'],
        ['CHARGEBACK_REVERSED', 10000, 'succeeded'],
        ['PREARBITRATION_OPEN', 10000, 'disputed'],
        ['PREARBITRATION_DECLINED', 10000, 'disputed'],
        ['SCHEME_ARBITRATION', 10000, 'disputed'],
        ['SCHEME_ARBITRATION_LOST', 0, 'refunded'],
      ]);
    });

    it('EUR: a chargeback lost, then the issuer\'s comments on it (Adyen\'s ISSUER_COMMENTS example: no disputeStatus) leave it lost', async () => {
      await record(sale('CMTSALE000000001', 'EUR', 10000, 'H100000000000010'));
      const dispute = { pspReference: 'CMTDISPUTE000001', originalReference: 'CMTSALE000000001', paymentMethod: 'visa', reason: 'Not as Described or Defective Merchandise/Services', amount: { currency: 'EUR', value: 10000 } };
      await record(signedItem({ ...dispute, eventCode: Code.Chargeback, additionalData: { disputeStatus: 'Lost', chargebackReasonCode: '13.3', chargebackSchemeCode: 'visa' } }));
      assert.deepEqual(await ledger('CMTSALE000000001'), { currency: 'EUR', gross: 10000, refunded: 0, chargeback: 10000, net: 0, status: 'refunded' });
      // Delivered after the loss, with the later eventDate: comments, not a reopening.
      await record(signedItem({
        ...dispute, eventCode: Code.IssuerComments,
        additionalData: { chargebackReasonCode: '13.3', chargebackSchemeCode: 'visa', 'issuerComments.type': 'chargeback', 'issuerComments.explanation': 'some_text', 'issuerComments.whatWasNotReceived': 'some_text' },
      }));
      assert.deepEqual(await ledger('CMTSALE000000001'), { currency: 'EUR', gross: 10000, refunded: 0, chargeback: 10000, net: 0, status: 'refunded' });
    });

    it('BRL (processed in Brazil: no disputeStatus): a chargeback whose defense period ended undefended is lost', async () => {
      await record(sale('BRLSALE000000001', 'BRL', 25000, 'H100000000000011'));
      // Shaped as Adyen's DISPUTE_DEFENSE_PERIOD_ENDED example (Webhooks-v1), less the disputeStatus Brazil does not get.
      const dispute = { pspReference: 'BRLDISPUTE000001', originalReference: 'BRLSALE000000001', paymentMethod: 'visa', reason: 'Other Fraud-Card Absent Environment', amount: { currency: 'BRL', value: 25000 } };
      await record(signedItem({ ...dispute, eventCode: Code.Chargeback, additionalData: { chargebackReasonCode: '10.4', chargebackSchemeCode: 'visa' } }));
      assert.deepEqual(await ledger('BRLSALE000000001'), { currency: 'BRL', gross: 25000, refunded: 0, chargeback: 0, net: 25000, status: 'disputed' });
      await record(signedItem({ ...dispute, eventCode: Code.DisputeDefensePeriodEnded, additionalData: { chargebackReasonCode: '10.4', modificationMerchantReferences: '', chargebackSchemeCode: 'visa' } }));
      assert.deepEqual(await ledger('BRLSALE000000001'), { currency: 'BRL', gross: 25000, refunded: 0, chargeback: 25000, net: 0, status: 'refunded' });
    });

    it('CLP (two decimals at Adyen): a cancelled authorisation is a void of the sale', async () => {
      await record(sale('CLPSALE000000001', 'CLP', 150000, 'H100000000000003'));
      assert.deepEqual(await ledger('CLPSALE000000001'), { currency: 'CLP', gross: 1500, refunded: 0, chargeback: 0, net: 1500, status: 'succeeded' });
      await record(signedItem({ pspReference: 'CLPCANCEL0000001', originalReference: 'CLPSALE000000001', eventCode: Code.Cancellation, amount: { currency: 'CLP', value: 150000 } }));
      assert.deepEqual(await ledger('CLPSALE000000001'), { currency: 'CLP', gross: 1500, refunded: 1500, chargeback: 0, net: 0, status: 'failed' });
    });

    it('BHD: a capture of less than was authorised gives the rest back; ISK: a CANCEL_OR_REFUND that refunded is a refund', async () => {
      await record(sale('BHDSALE000000001', 'BHD', 10000, 'H100000000000004'), signedItem({ pspReference: 'BHDCAPTURE000001', originalReference: 'BHDSALE000000001', eventCode: Code.Capture, amount: { currency: 'BHD', value: 8000 } }));
      assert.deepEqual(await ledger('BHDSALE000000001'), { currency: 'BHD', gross: 10000, refunded: 2000, chargeback: 0, net: 8000, status: 'partially_refunded' });
      await record(sale('ISKSALE000000001', 'ISK', 1000000, 'H100000000000005'));
      await record(signedItem({ pspReference: 'ISKCOR0000000001', originalReference: 'ISKSALE000000001', eventCode: Code.CancelOrRefund, amount: { currency: 'ISK', value: 300000 }, additionalData: { 'modification.action': 'refund' } }));
      assert.deepEqual(await ledger('ISKSALE000000001'), { currency: 'ISK', gross: 10000, refunded: 3000, chargeback: 0, net: 7000, status: 'partially_refunded' });
    });

    it('EUR: an authorisation raised by AUTHORISATION_ADJUSTMENT counts at its most, and its EXPIRE voids it', async () => {
      await record(sale('EURSALE000000001', 'EUR', 10000, 'H100000000000006'));
      await record(signedItem({ pspReference: 'EURADJUST0000001', originalReference: 'EURSALE000000001', eventCode: Code.AuthorisationAdjustment, amount: { currency: 'EUR', value: 15000 } }));
      assert.deepEqual(await ledger('EURSALE000000001'), { currency: 'EUR', gross: 15000, refunded: 0, chargeback: 0, net: 15000, status: 'succeeded' });
      await record(signedItem({ pspReference: 'EURSALE000000001', eventCode: Code.Expire, amount: { currency: 'EUR', value: 15000 } }));
      assert.deepEqual(await ledger('EURSALE000000001'), { currency: 'EUR', gross: 15000, refunded: 15000, chargeback: 0, net: 0, status: 'failed' });
    });

    it('an unreferenced refund (REFUND_WITH_DATA) is money given back under its own pspReference, and its VOID_PENDING_REFUND takes it back', async () => {
      await record(signedItem({ pspReference: 'UNREFERENCED0001', eventCode: Code.RefundWithData, paymentMethod: 'mc', amount: { currency: 'EUR', value: 2500 }, additionalData: { ...POS_DATA, alias: 'H100000000000007' } }));
      assert.deepEqual(await ledger('UNREFERENCED0001'), { currency: 'EUR', gross: 0, refunded: 2500, chargeback: 0, net: -2500, status: 'refunded' });
      await record(signedItem({ pspReference: 'VOIDPENDING00001', originalReference: 'UNREFERENCED0001', eventCode: Code.VoidPendingRefund, amount: { currency: 'EUR', value: 2500 } }));
      const after = await ledger('UNREFERENCED0001');
      assert.deepEqual([after.refunded, after.net], [0, 0]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Terminal API

const SECURITY_KEY: SecurityKey = { AdyenCryptoVersion: 1, KeyIdentifier: 'CryptoKeyIdentifier12345', KeyVersion: 1, Passphrase: 'p@ssw0rd123456' };
const TERMINAL_CREDENTIALS = { keyIdentifier: SECURITY_KEY.KeyIdentifier, passphrase: SECURITY_KEY.Passphrase, keyVersion: SECURITY_KEY.KeyVersion };
const BASIC = { basicUsername: 'adyen-events', basicPassword: 'tr0ub4dor&3' };

const header = (category: MessageCategoryType, cls: MessageClassType, type: MessageType) => ({
  MessageCategory: category, MessageClass: cls, MessageType: type, POIID: 'V400m-346403161', ProtocolVersion: '3.0', SaleID: 'POSSystemID12345', ServiceID: '0207111104',
});

/**
 * A PaymentResponse as the library's terminal models type it. `authorized` is AmountsResp.AuthorizedAmount, a decimal
 * in major units; `additional` the URL-encoded AdditionalResponse (Adyen minor units in its pos… amounts).
 */
function paymentResponse(o: { authorized?: number; currency?: string; result?: ResultType; additional?: Record<string, string>; paymentType?: PaymentResult.PaymentTypeEnum; cashBack?: number } = {}): TerminalApiResponse {
  const currency = o.currency ?? 'EUR';
  const additional = new URLSearchParams({
    tid: '47069832', transactionType: 'GOODS_SERVICES', pspReference: '8816178952380553', cardBin: '541333', cardSummary: '9999', expiryMonth: '02', expiryYear: '2028',
    paymentMethod: 'mc', paymentMethodVariant: 'mc', posEntryMode: 'CLESS_CHIP', alias: 'M900978995070104', aliasType: 'Default', cardHolderName: 'Jürgen Müller',
    shopperReference: 'loyalty-4711', store: 'AMS-Centraal', merchantReference: 'ORDER-17', iso8601TxDate: '2026-03-14T10:00:00.0000000+0000',
    posAuthAmountCurrency: currency, ...o.additional,
  }).toString();
  const payment: PaymentResponse = {
    POIData: { POIReconciliationID: '1000', POITransactionID: { TimeStamp: '2026-03-14T10:00:00.000Z', TransactionID: 'oLkO001773482400000.8816178952380553' } },
    SaleData: { SaleTransactionID: { TimeStamp: '2026-03-14T10:00:00.000Z', TransactionID: 'ORDER-17' } },
    Response: { Result: o.result ?? ResultType.Success, AdditionalResponse: additional, ...(o.result === ResultType.Failure ? { ErrorCondition: Response.ErrorConditionEnum.Refusal } : {}) },
    PaymentResult: {
      ...(o.authorized === undefined ? {} : { AmountsResp: { AuthorizedAmount: o.authorized, Currency: currency, ...(o.cashBack === undefined ? {} : { CashBackAmount: o.cashBack }) } }),
      OnlineFlag: true,
      ...(o.paymentType ? { PaymentType: o.paymentType } : {}),
      PaymentInstrumentData: { CardData: { EntryMode: [CardData.EntryModeEnum.Contactless], MaskedPan: '541333******9999', PaymentBrand: 'mc' }, PaymentInstrumentType: PaymentInstrumentType.Card },
    },
  };
  return { SaleToPOIResponse: { MessageHeader: header(MessageCategoryType.Payment, MessageClassType.Service, MessageType.Response), PaymentResponse: payment } };
}

/** Encrypted exactly as the library's TerminalLocalAPI does it: the serialized message, NexoCrypto.encrypt, the secured envelope. */
function encryptedByLocalApi(message: TerminalApiResponse | TerminalApiRequest): string {
  const responseName = 'SaleToPOIResponse' in message && message.SaleToPOIResponse ? 'SaleToPOIResponse' : 'SaleToPOIRequest';
  const serialized = ObjectSerializer.serialize(message, responseName === 'SaleToPOIResponse' ? 'TerminalApiResponse' : 'TerminalApiRequest');
  const secured = NexoCrypto.encrypt(serialized[responseName].MessageHeader, JSON.stringify(serialized), SECURITY_KEY);
  return JSON.stringify(ObjectSerializer.serialize({ [responseName]: secured }, responseName === 'SaleToPOIResponse' ? 'TerminalApiSecuredResponse' : 'TerminalApiSecuredRequest'));
}

/** Encrypted with the library's cloud device NexoSecurityManager. */
function encryptedByCloudDevice(message: TerminalApiResponse): string {
  const serialized = ObjectSerializer.serialize(message, 'TerminalApiResponse');
  const manager = new NexoSecurityManager({ keyIdentifier: SECURITY_KEY.KeyIdentifier, passphrase: SECURITY_KEY.Passphrase, keyVersion: SECURITY_KEY.KeyVersion, adyenCryptoVersion: 1 });
  return JSON.stringify({ SaleToPOIResponse: manager.encrypt(JSON.stringify(serialized), serialized.SaleToPOIResponse.MessageHeader) });
}

const receiveTerminal = (body: string, credentials: Record<string, unknown>, headers: Record<string, string> = {}) =>
  receiveWebhook(adyenTerminalSource, adyenRequest(body, headers, 'https://shop.example/webhooks/adyen-terminal'), { credentials, inbox: memoryInbox() });

async function terminalEvent(body: string, credentials: Record<string, unknown> = TERMINAL_CREDENTIALS, headers: Record<string, string> = {}): Promise<PaymentEvent> {
  const out = await receiveTerminal(body, credentials, headers);
  assert.deepEqual([out.status, out.answer.body], [200, '[accepted]'], JSON.stringify(out));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

describe('Adyen Terminal API messages built with the library\'s models and encrypted by the library', () => {
  it('a payment encrypted as TerminalLocalAPI does, as the cloud device API does, and posted plain with Basic auth: the same sale', async () => {
    const message = paymentResponse({ authorized: 45.99 });
    const local = await terminalEvent(encryptedByLocalApi(message));
    const cloud = await terminalEvent(encryptedByCloudDevice(message));
    const posted = await terminalEvent(JSON.stringify(ObjectSerializer.serialize(message, 'TerminalApiResponse')), BASIC, basicAuth(BASIC.basicUsername, BASIC.basicPassword));
    for (const e of [local, cloud, posted]) {
      assert.equal(e.id, 'adyen:terminal:oLkO001773482400000.8816178952380553:PaymentResponse');
      assert.deepEqual([e.source, e.kind, e.status, e.paymentId], ['adyen', 'payment', 'succeeded', '8816178952380553']);
      assert.deepEqual(e.amount, { minor: 4599, currency: 'EUR' });
      assert.deepEqual(plain(e.card), {
        brand: 'mastercard', last4: '9999', bin: '541333', expMonth: 2, expYear: 2028, entryMode: 'contactless', identity: { kind: 'fingerprint', value: 'M900978995070104' },
      });
      assert.deepEqual(plain(e.terminal), { readerId: 'V400m-346403161', locationId: 'AMS-Centraal' });
      assert.deepEqual(plain(e.customerHints), { processorCustomerId: 'loyalty-4711', name: 'Jürgen Müller' });
      assert.equal(e.occurredAt, '2026-03-14T10:00:00.000Z');
      assertNoCardNumber(e, ['oLkO001773482400000', '8816178952380553', 'M900978995070104']);
    }
  });

  it('AuthorizedAmount is a decimal in major units whatever the currency: JPY, KRW, KWD, BHD, JOD, CLP, ISK', async () => {
    const cases: [currency: string, authorized: number, minor: number][] = [['JPY', 1500, 1500], ['KRW', 50000, 50000], ['KWD', 12.345, 12345], ['BHD', 0.5, 500], ['JOD', 1.001, 1001], ['CLP', 1500, 1500], ['ISK', 2790, 2790]];
    for (const [currency, authorized, minor] of cases) {
      const e = await terminalEvent(encryptedByLocalApi(paymentResponse({ authorized, currency })));
      assert.deepEqual(e.amount, { minor, currency }, currency);
    }
  });

  it('refuses, naming AuthorizedAmount, a decimal past 2^53 minor units, and takes the largest that fits', async () => {
    // AuthorizedAmount is a JSON number (the library's AmountsResp types it so): these two are written exactly.
    const largest = await terminalEvent(encryptedByLocalApi(paymentResponse({ authorized: 90071992547409.9 })));
    assert.deepEqual(largest.amount, { minor: 9007199254740990, currency: 'EUR' });
    const out = await receiveTerminal(encryptedByLocalApi(paymentResponse({ authorized: 1e14 })), TERMINAL_CREDENTIALS);
    assert.equal(out.status, 400);
    assert.match(out.rejected!, /^PaymentResult\.AmountsResp\.AuthorizedAmount: 100000000000000 EUR is more of EUR's minor units than can be counted exactly/);
  });

  it('a refused payment is a failure of the amount asked for (posOriginalAmountValue, Adyen minor units: CLP with two decimals)', async () => {
    const e = await terminalEvent(encryptedByLocalApi(paymentResponse({ result: ResultType.Failure, currency: 'CLP', additional: { posOriginalAmountValue: '150000', posOriginalAmountCurrency: 'CLP', refusalReason: 'Not enough balance' } })));
    assert.deepEqual([e.kind, e.status, e.failure?.code, e.failure?.message], ['failure', 'failed', 'Refusal', 'Not enough balance']);
    assert.deepEqual(e.amount, { minor: 1500, currency: 'CLP' });
  });

  it('reads an empty pair of the URL-encoded AdditionalResponse as no value, as the JSON format does: the PSP reference and the reason come from where else they are', async () => {
    const additional = { pspReference: '', refusalReason: '', message: 'Declined', store: '', posOriginalAmountValue: '1000', posOriginalAmountCurrency: 'EUR' };
    const url = await terminalEvent(encryptedByLocalApi(paymentResponse({ result: ResultType.Failure, additional })));
    assert.deepEqual([url.paymentId, url.failure?.message, url.terminal?.locationId], ['8816178952380553', 'Declined', undefined]);
    assert.deepEqual(url.amount, { minor: 1000, currency: 'EUR' });
  });

  it('a cashback payment counts its purchase only', async () => {
    const e = await terminalEvent(encryptedByLocalApi(paymentResponse({ authorized: 60, cashBack: 20 })));
    assert.deepEqual(e.amount, { minor: 4000, currency: 'EUR' });
  });

  it('acknowledges and passes nothing on for an unreferenced refund (PaymentType Refund) and an encrypted EventNotification', async () => {
    const refund = await receiveTerminal(encryptedByLocalApi(paymentResponse({ authorized: 10, paymentType: PaymentResult.PaymentTypeEnum.Refund })), TERMINAL_CREDENTIALS);
    assert.deepEqual([refund.status, refund.answer.body, refund.events.length], [200, '[accepted]', 0]);
    assert.match(refund.report.ignored.join(' '), /unreferenced refund/);
    const notification: TerminalApiRequest = {
      SaleToPOIRequest: {
        MessageHeader: header(MessageCategoryType.Event, MessageClassType.Event, MessageType.Notification),
        EventNotification: { EventToNotify: EventToNotifyType.Shutdown, EventDetails: 'message=Terminal+shutting+down', TimeStamp: '2026-03-14T10:00:00.000Z' },
      },
    };
    const event = await receiveTerminal(encryptedByLocalApi(notification), TERMINAL_CREDENTIALS);
    assert.deepEqual([event.status, event.answer.body, event.events.length], [200, '[accepted]', 0]);
    assert.match(event.report.ignored.join(' '), /Shutdown/);
  });

  it('refuses a message the library encrypted under another passphrase, or whose blob was changed', async () => {
    const other = await receiveTerminal(encryptedByLocalApi(paymentResponse({ authorized: 1 })), { ...TERMINAL_CREDENTIALS, passphrase: 'another passphrase' });
    assert.equal(other.status, 400);
    assert.match(other.rejected!, /did not decrypt and verify.*check passphrase/);
    const body = JSON.parse(encryptedByLocalApi(paymentResponse({ authorized: 1 })));
    const blob = Buffer.from(body.SaleToPOIResponse.NexoBlob, 'base64');
    blob[blob.length - 20] = blob[blob.length - 20]! ^ 1;
    body.SaleToPOIResponse.NexoBlob = blob.toString('base64');
    assert.equal((await receiveTerminal(JSON.stringify(body), TERMINAL_CREDENTIALS)).status, 400);
  });
});
