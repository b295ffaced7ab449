import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { squareDisputeObject, squareEvent, squarePaymentId, squarePaymentObject, squareRefundObject } from '../../../sandbox/simulator/square-events';
import { deliveryOf, KEY as SQUARE_KEY } from '../sources/square-fixtures';
import { DeliveryOrder, type Delivery } from './delivery-order-support';

/** A program without tiers and one whose Silver the earlier sale and the new one reach together (as in the Adyen test). */
const programs = (id: string, currency: string) => [
  parseLoyaltyProgram({ id, currency }),
  parseLoyaltyProgram({ id: `${id}-tiers`, currency, tiers: [{ name: 'Silver', minSpendMinor: 11_000, multiplier: 2 }, { name: 'Gold', minSpendMinor: 12_000, multiplier: 3 }] }),
] as const;

const at = (day: number) => new Date(Date.UTC(2025, 9, day, 10));

function harness(source: string, currency: string) {
  const [program, tiered] = programs(`${source}-order`, currency);
  const order = new DeliveryOrder(source, program, tiered);
  before(() => order.open());
  after(() => order.close());
  return order;
}

describe('a Square sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its events arrive in', () => {
  const order = harness('square', 'USD');
  const received = async (type: string, object: { id?: string }, day: number): Promise<PaymentEvent> => {
    const out = await receiveWebhook('square', deliveryOf(squareEvent(type, object, { createdAt: at(day).toISOString() })), { credentials: { signatureKey: SQUARE_KEY } });
    assert.equal(out.events.length, 1, JSON.stringify(out.report));
    return out.events[0]!;
  };

  function saleScenario(roles: readonly ('payment.created' | 'payment.updated' | 'refund 30' | 'refund 20' | 'dispute' | 'dispute LOST' | 'dispute WON')[]) {
    return async (n: number) => {
      const card = { fingerprint: `sq-1-order-${n}`, last4: String(1000 + (n % 9000)) };
      const earlier = await received('payment.created', squarePaymentObject({ amount: 1000, card, createdAt: at(1).toISOString() }), 1);
      const paymentId = squarePaymentId();
      const refunds = [
        { role: 'refund 30', refund: squareRefundObject({ paymentId, amount: 3000, at: at(5).toISOString() }) },
        { role: 'refund 20', refund: squareRefundObject({ paymentId, amount: 2000, at: at(6).toISOString() }) },
      ].filter((r) => roles.includes(r.role as never));
      const sale = { id: paymentId, amount: 10000, card, createdAt: at(3).toISOString() };
      const events: Delivery[] = [];
      for (const role of roles) {
        const event = await (() => {
          switch (role) {
            case 'payment.created': return received('payment.created', squarePaymentObject(sale), 3);
            // Square updates the payment with each refund: its refund ids and the money refunded so far.
            case 'payment.updated': return received('payment.updated', squarePaymentObject({
              ...sale, refundIds: refunds.map((r) => r.refund.id), refundedAmount: refunds.reduce((sum, r) => sum + r.refund.amount_money.amount, 0),
            }), 7);
            case 'refund 30': case 'refund 20': return received('refund.updated', refunds.find((r) => r.role === role)!.refund, role === 'refund 30' ? 5 : 6);
            case 'dispute': return received('dispute.created', squareDisputeObject({ paymentId, amount: 10000, id: `dsp-order-${n}`, at: at(9).toISOString() }), 9);
            default: return received('dispute.state.updated', squareDisputeObject({ paymentId, amount: 10000, id: `dsp-order-${n}`, state: role.slice('dispute '.length) as 'LOST', at: at(12).toISOString() }), 12);
          }
        })();
        events.push({ role, event });
      }
      return { earlier, events, pay: paymentId };
    };
  }

  it('payment.created, a refund, the payment updated with it, a dispute opened and lost: all 120 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['payment.created', 'refund 30', 'payment.updated', 'dispute', 'dispute LOST']), 5);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.chargebackMinor, p.netMinor], [10000, 3000, 7000, 0]);
  });

  it('two refunds and the payment updated with both: all 24 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['payment.created', 'refund 30', 'refund 20', 'payment.updated']), 4, 6000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor], [10000, 5000, 5000]);
  });
});
