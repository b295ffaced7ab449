import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotificationRequestItem } from '@adyen/api-library/lib/src/typings/notification/notificationRequestItem';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { bothDialects } from '../../support/both-dialects';
import { DeliveryOrder } from '../pipeline/delivery-order-support';
import { libraryItemReceiver } from '../sources/adyen-test-support';

/**
 * The merchant's answer to an issuer's pre-arbitration, as Adyen reports it for a payment processed in Brazil: with no
 * disputeStatus ("not returned for disputed payments processed in Brazil", Adyen's dispute webhooks page), so the code
 * alone says where the money stands. The issuer opens the pre-arbitration after a chargeback the merchant defended
 * (CHARGEBACK_REVERSED; PREARBITRATION_OPEN, "Cardholder's bank opened the pre-arbitration case"); the merchant accepts
 * it (PREARBITRATION_ACCEPTED: the liability is theirs, the money the cardholder's) or declines it (PREARBITRATION_DECLINED,
 * "The merchant declined the pre-arbitration case": the issuer may still withdraw or escalate it, so it stays open).
 * Items as @adyen/api-library types them (the codes its EventCodeEnum does not list yet are Webhooks-v1's), signed by its
 * HmacValidator, through the Adyen source into a store of each dialect, in every order of delivery: the eventDate decides.
 */
const KEY = '7C1E3A5C7E9A1C3E5A7C9E1A3C5E7A9C1E3A5C7E9A1C3E5A7C9E1A3C5E7A9C1E';
const Code = NotificationRequestItem.EventCodeEnum;
const Dispute = (code: string) => code as NotificationRequestItem.EventCodeEnum;
const program = parseLoyaltyProgram({ id: 'prearbitration', currency: 'BRL' });
const tiered = parseLoyaltyProgram({ id: 'prearbitration-tiers', currency: 'BRL', tiers: [{ name: 'Silver', minSpendMinor: 20_000, multiplier: 2 }] });
/** Adyen's eventDate (ISO 8601 with the offset of São Paulo), `day` days into November 2025. */
const at = (day: number) => new Date(Date.UTC(2025, 10, day, 14)).toISOString().replace('T14:00:00.000Z', 'T11:00:00-03:00');

const received = libraryItemReceiver(KEY, {
  amount: { currency: 'BRL', value: 25000 },
  merchantAccountCode: 'TerminalCrmShopBR',
  merchantReference: 'POS-3107',
  success: NotificationRequestItem.SuccessEnum.True,
});

/** Shopper n's terminal sale (AuthorisationNotificationAdditionalData), which makes them a customer by the card. */
const sale = (psp: string, n: number) => received({
  eventCode: Code.Authorisation, pspReference: psp, eventDate: at(1), paymentMethod: 'visa', reason: `041729:${String(n).padStart(4, '0')}:08/2030`,
  additionalData: {
    alias: `HBRA3107${String(n).padStart(6, '0')}`, aliasType: 'Default', cardBin: '476173', cardSummary: String(n).padStart(4, '0'), expiryDate: '08/2030',
    paymentMethodVariant: 'visa', posEntryMode: 'ICC', shopperInteraction: 'POS', shopperEmail: `bruna${n}@example.com`, shopperReference: `shopper-br-${n}`,
    store: 'SaoPaulo-01', terminalId: 'S1F2-000158231',
  },
});

/** A step of the dispute, shaped as Adyen's dispute examples (Webhooks-v1) less the disputeStatus Brazil does not get. */
const disputeStep = (eventCode: NotificationRequestItem.EventCodeEnum, dispute: string, pay: string, day: number) => received({
  eventCode, pspReference: dispute, originalReference: pay, eventDate: at(day), paymentMethod: 'visa', reason: 'Other Fraud-Card Absent Environment',
  additionalData: { chargebackReasonCode: '10.4', chargebackSchemeCode: 'visa', modificationMerchantReferences: '' },
});

for (const store of bothDialects('adyen-prearbitration')) {
  describe(`an Adyen pre-arbitration the merchant accepted or declined, with no disputeStatus (Brazil), on ${store.dialect}`, () => {
    const order = new DeliveryOrder('adyen', program, tiered);
    before(() => order.open(store));
    after(() => order.close());

    /** The sale, then the dispute's steps (code and day), each sale its own shopper. */
    const scenario = (steps: readonly [string, NotificationRequestItem.EventCodeEnum, number][]) => async (n: number) => {
      const pay = `BRSALE${String(n).padStart(10, '0')}`;
      const dispute = `BRDISPUTE${String(n).padStart(7, '0')}`;
      const events = [{ role: 'AUTHORISATION', event: await sale(pay, n % 100) }];
      for (const [role, code, day] of steps) events.push({ role, event: await disputeStep(code, dispute, pay, day) });
      return { events, pay };
    };

    it('accepted after the chargeback was reversed: the chargeback stands, the sale given back and its points forfeited, in all 24 orders', { timeout: 240_000 }, async () => {
      const natural = await order.everyOrder(scenario([
        ['CHARGEBACK_REVERSED', Code.ChargebackReversed, 20],
        ['PREARBITRATION_OPEN', Dispute('PREARBITRATION_OPEN'), 40],
        ['PREARBITRATION_ACCEPTED', Dispute('PREARBITRATION_ACCEPTED'), 45],
      ]), 4, 10);
      const p = natural.payment;
      assert.deepEqual([p.counted, p.disputePhase, p.chargebackMinor, p.netMinor, p.status], [true, 'lost', 25000, 0, 'refunded']);
      assert.deepEqual(natural.segment.map((s) => [s.gross_minor, s.chargeback_minor, s.disputes].map(Number)), [[25000, 25000, 1]]);
      assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.points_balance, m.points_held].map(Number)), [[0, 0, 0]]);
    });

    it('declined after the chargeback was reversed: the dispute open again, the points held, whether or not the opening was heard, in all 6 orders', { timeout: 120_000 }, async () => {
      const natural = await order.everyOrder(scenario([
        ['CHARGEBACK_REVERSED', Code.ChargebackReversed, 20],
        ['PREARBITRATION_DECLINED', Dispute('PREARBITRATION_DECLINED'), 45],
      ]), 3, 40);
      const p = natural.payment;
      assert.deepEqual([p.counted, p.disputePhase, p.disputedMinor, p.chargebackMinor, p.netMinor, p.status], [true, 'open', 25000, 0, 25000, 'disputed']);
      assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.points_balance, m.points_held].map(Number)), [[25000, 0, 250]]);
    });
  });
}
