import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebhooksHelper } from 'square';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { squareSource } from '../../../nodes/core/sources/square';
import { SQUARE_SCENARIOS, squareDelivery, type SquareScenario } from '../../../sandbox/simulator/square-events';

const KEY = 'whsk_sandbox_3fPq9Lm2';
const AT = '2026-11-20T12:00:00.000Z';

/** What each scenario must become once verified and normalized: [kind, status, entry mode, wallet] or the ignore reason. */
const EXPECTED: Record<SquareScenario, [string, string, string | undefined, string | undefined] | RegExp> = {
  chip: ['payment', 'succeeded', 'chip', undefined],
  contactless: ['payment', 'succeeded', 'contactless', undefined],
  apple_pay: ['payment', 'succeeded', 'contactless', 'apple_pay'],
  google_pay: ['payment', 'succeeded', 'contactless', undefined],
  swipe: ['payment', 'succeeded', 'swipe', undefined],
  keyed: ['payment', 'succeeded', 'keyed', undefined],
  decline: ['failure', 'failed', 'chip', undefined],
  authorization: /authorized but not captured/,
  partial_refund: ['refund', 'partially_refunded', undefined, undefined],
  full_refund: ['refund', 'partially_refunded', undefined, undefined],
  refund_pending: /refund is pending/,
  dispute_opened: ['dispute', 'disputed', undefined, undefined],
  dispute_won: ['dispute', 'succeeded', undefined, undefined],
  dispute_lost: ['dispute', 'refunded', undefined, undefined],
};

describe('Square simulator', () => {
  for (const [scenario, expected] of Object.entries(EXPECTED) as [SquareScenario, (typeof EXPECTED)[SquareScenario]][]) {
    it(`produces a ${scenario} delivery that the Square SDK and the source both accept`, async () => {
      const d = squareDelivery(scenario, KEY, { createdAt: AT, amount: 3000, paymentId: 'SiMuLaTeDpAyMeNt4xQ7wV2bN8cZY', customerId: 'CUST42ZZ' });
      const signature = d.headers['x-square-hmacsha256-signature']!;
      assert.equal(await WebhooksHelper.verifySignature({ requestBody: d.body, signatureHeader: signature, signatureKey: KEY, notificationUrl: d.url }), true);
      const out = await receiveWebhook(
        squareSource,
        { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: d.url, receivedAt: new Date(Date.parse(AT) + 2_000) },
        { credentials: { signatureKey: KEY } },
      );
      assert.equal(out.status, 200, JSON.stringify(out.answer));
      if (expected instanceof RegExp) {
        assert.deepEqual(out.events, []);
        assert.match(out.report.ignored[0] ?? '', expected);
        return;
      }
      const e = out.events[0]!;
      assert.deepEqual([e.kind, e.status, e.card?.entryMode, e.card?.wallet], expected);
      assert.equal(e.paymentId, 'SiMuLaTeDpAyMeNt4xQ7wV2bN8cZY');
      assert.equal(e.livemode, false, 'the simulator posts as a Sandbox account');
      if (e.kind === 'payment') assert.deepEqual([e.amount.minor, e.customerHints.processorCustomerId], [3000, 'CUST42ZZ']);
      if (scenario === 'partial_refund') assert.equal(e.amount.minor, 1000);
      if (scenario === 'decline') assert.equal(e.failure?.code, 'CARD_DECLINED');
      assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/);
    });
  }

  it('offers every scenario the sandbox can post', () => {
    assert.deepEqual([...SQUARE_SCENARIOS].sort(), Object.keys(EXPECTED).sort());
  });

  it('signs for the notification URL it is given, so a wrong URL is caught', async () => {
    const d = squareDelivery('chip', KEY, { createdAt: AT, notificationUrl: 'https://shop.example.com/webhooks/square' });
    assert.equal(d.url, 'https://shop.example.com/webhooks/square');
    const out = await receiveWebhook(
      squareSource,
      { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'http://localhost:3100/webhooks/square', receivedAt: new Date(Date.parse(AT) + 2_000) },
      { credentials: { signatureKey: KEY } },
    );
    assert.equal(out.status, 400);
  });
});
