import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { messageStep } from '../../../nodes/core/messages/message-step';
import { parseMessageSettings } from '../../../nodes/core/messages/settings';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../../support/temp-store';

/** The thank-you's recipients: the email for the mail step, the phone (E.164) for an SMS step, either or both. */
describe('messageStep: the thank-you carries the phone an SMS goes to', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
  });
  after(async () => s.remove());

  let card = 9100;
  const charge = (details: { email?: string; phone?: string; name?: string }) =>
    stripeEvent('charge.succeeded', chargeObject({ amount: 4_200, currency: 'usd', ...details, card: { last4: String(card++), fingerprint: `fp_sms_${card}` } }));
  async function thankYou(processorEvent: object) {
    const matched = await matchStep(tokenizeStep(normalizeStripeEvent(processorEvent), testKeys()), s.crm);
    const [upserted] = await upsertStep([matched], s.crm);
    return messageStep(upserted, { db: s.db, settings: parseMessageSettings({ kind: 'thank-you', shopName: 'Café Lumen' }), now: () => new Date('2026-12-02T12:00:00Z') });
  }

  it('a customer with an email and a phone: one message with both, the phone in E.164', async () => {
    const r = await thankYou(charge({ email: 'grace@example.com', phone: '(415) 555-0123', name: 'Grace Hopper' }));
    assert.equal(r.outcome, 'send');
    assert.deepEqual([r.message!.to, r.message!.phone], ['grace@example.com', '+14155550123']);
    assert.equal(r.message!.text, 'Hi Grace, thank you for your payment of $42.00 at Café Lumen. We look forward to seeing you again.');
  });

  it('a customer known only by phone is thanked (no email: `to` is empty), once per payment', async () => {
    const event = charge({ phone: '+44 20 7946 0958', name: 'Ada Lovelace' });
    const first = await thankYou(event);
    assert.equal(first.outcome, 'send');
    assert.deepEqual([first.message!.to, first.message!.phone], ['', '+442079460958']);
    const again = await thankYou(event);
    assert.deepEqual([again.outcome, again.items.length], ['duplicate', 0]);
  });

  it('a later payment of the same customer without a phone on it still finds the phone the store keeps', async () => {
    await thankYou(charge({ email: 'linus@example.com', phone: '415-555-0199', name: 'Linus T' }));
    const later = await thankYou(charge({ email: 'linus@example.com', name: 'Linus T' }));
    assert.equal(later.outcome, 'send');
    assert.equal(later.message!.phone, '+14155550199');
  });

  it('no email and no usable phone: nothing to send, and it says why', async () => {
    const r = await thankYou(charge({ phone: '12', name: 'Nobody Known' }));
    assert.deepEqual([r.outcome, r.reason], ['skipped', 'no email address or phone number is known for this customer']);
    const emailOnly = await thankYou(charge({ email: 'mail.only@example.com' }));
    assert.equal(emailOnly.outcome, 'send');
    assert.equal(emailOnly.message!.phone, undefined);
  });

  it('a flow that changed the match or the CRM result: the phone from the store, or an error naming crm.customerId', async () => {
    const settings = parseMessageSettings({ kind: 'thank-you', shopName: 'Café Lumen' });
    const matched = await matchStep(tokenizeStep(normalizeStripeEvent(charge({ email: 'edsger@example.com', phone: '415-555-0142', name: 'Edsger D' })), testKeys()), s.crm);
    const [upserted] = await upsertStep([matched], s.crm);
    for (const keys of ['phone', [null], undefined]) {
      const changed = structuredClone(upserted!) as unknown as { id: string; match: { keys: unknown } };
      changed.match.keys = keys;
      changed.id = `${changed.id}:${JSON.stringify(keys)}`;
      const r = await messageStep(changed, { db: s.db, settings, now: () => new Date('2026-12-02T12:00:00Z') });
      assert.equal(r.message?.phone, '+14155550142', `keys ${JSON.stringify(keys)}: the phone the store keeps`);
    }
    const noCustomer = structuredClone(upserted!) as unknown as { crm: { customerId: unknown } };
    noCustomer.crm.customerId = 42;
    await assert.rejects(messageStep(noCustomer, { db: s.db, settings }), /^InputError: crm\.customerId: is 42, neither the customer CRM Upsert linked nor null/);
  });
});
