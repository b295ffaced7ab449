import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { membershipEventMessages } from '../../../nodes/core/loyalty/event-messages';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { flushQueuedMessages, messageStep } from '../../../nodes/core/messages/message-step';
import { parseMessageSettings, type MessageSettingsInput } from '../../../nodes/core/messages/settings';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { normalizeCloverPayment } from '../../../nodes/core/sources/clover-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { cloverPayment } from '../../../sandbox/simulator/clover-events';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-message-step');

type Store = DialectStore;
const NBSP = '\u00a0';

/**
 * The message step after the real steps before it (tokenize, match, upsert, segment, loyalty), as the templates
 * chain them, on Stripe events made by the simulator.
 */
for (const store of stores) describe(`messageStep: the templates’ messages on ${store.dialect}`, () => {
  let s: Store;
  before(async () => {
    s = await store.open();
  });
  after(async () => {
    await s.remove();
  });
  const program = parseLoyaltyProgram({ currency: 'KWD', points: { perUnit: 10 }, tiers: [{ name: 'Silver', minSpendMinor: 50_000 }] });
  const segmentConfig = parseSegmentConfig({ flags: { highValue: { paymentMinor: { JPY: 50_000 } } } });

  /** One processor event through the pipeline up to CRM Upsert, then Segment and Loyalty. */
  async function through(processorEvent: object) {
    return throughEvent(normalizeStripeEvent(processorEvent));
  }
  async function throughEvent(event: object) {
    const matched = await matchStep(tokenizeStep(JSON.parse(JSON.stringify(event)), testKeys()), s.crm);
    const [upserted] = await upsertStep([matched], s.crm);
    const segmented = await segmentStep(upserted, { db: s.db, config: segmentConfig });
    return loyaltyStep(segmented, { db: s.db, program });
  }
  const compose = (payload: unknown, settings: Omit<MessageSettingsInput, 'kind'> & { kind: MessageSettingsInput['kind'] }, now = new Date('2026-12-02T12:00:00Z')) =>
    messageStep(payload, { db: s.db, settings: parseMessageSettings({ shopName: 'Café Lumen', ...settings }), now: () => now });

  it('thanks a completed payment once, with the name, the amount as KWD writes it, the shop and the location', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 12_500, currency: 'kwd', email: 'ada@example.com', name: 'Ada Lovelace', metadata: { location_id: 'tml_main' } }));
    const item = await through(event);
    const first = await compose(item, { kind: 'thank-you', locationNames: 'tml_main=Main Street' });
    assert.equal(first.outcome, 'send');
    assert.equal(first.items.length, 1);
    const message = first.items[0]!.message as Record<string, unknown>;
    assert.deepEqual([message.to, message.amountText, message.subject], ['ada@example.com', `KWD${NBSP}12.500`, 'Thank you for your visit to Café Lumen']);
    assert.equal(message.text, `Hi Ada, thank you for your payment of KWD${NBSP}12.500 at Café Lumen (Main Street). We look forward to seeing you again.`);
    assert.equal((first.items[0] as { id: string }).id, item.id, 'the item travels on with the message added');

    const replay = await compose(await through(event), { kind: 'thank-you' });
    assert.deepEqual([replay.outcome, replay.items.length], ['duplicate', 0]);
  });

  it('writes to the address the customer record holds when the payment carries one that is no address (a typo, a run of digits taken out as a card number)', async () => {
    const first = stripeEvent('charge.succeeded', chargeObject({ amount: 2_000, currency: 'kwd', email: 'ines@example.com', name: 'Ines Duarte', customer: 'cus_ines' }));
    await compose(await through(first), { kind: 'thank-you' });
    for (const [i, receipt] of ['ines@example', 'ines[redacted card number]@example.com'].entries()) {
      const later = stripeEvent('charge.succeeded', chargeObject({ amount: 3_000 + i, currency: 'kwd', email: receipt, name: 'Ines Duarte', customer: 'cus_ines' }));
      const r = await compose(await through(later), { kind: 'thank-you' });
      assert.equal(r.outcome, 'send');
      assert.equal((r.items[0]!.message as Record<string, unknown>).to, 'ines@example.com', receipt);
    }
  });

  it("thanks the payment, not each of Stripe's two events about it; never a decline or a refund", async () => {
    const pi = paymentIntentObject({ amount: 3000, currency: 'jpy', email: 'kenji@example.jp', name: 'Kenji Sato' });
    const charge = chargeObject({ amount: 3000, currency: 'jpy', email: 'kenji@example.jp', name: 'Kenji Sato', paymentIntentId: pi.id });
    const a = await compose(await through(stripeEvent('payment_intent.succeeded', pi)), { kind: 'thank-you' });
    const b = await compose(await through(stripeEvent('charge.succeeded', charge)), { kind: 'thank-you' });
    assert.deepEqual([a.outcome, b.outcome], ['send', 'duplicate']);
    assert.match(String((a.message!).text), /payment of ¥3,000 at Café Lumen\./);

    const declined = paymentIntentObject({ amount: 900, email: 'kenji@example.jp', failed: { code: 'card_declined', message: 'Your card was declined.' } });
    const d = await compose(await through(stripeEvent('payment_intent.payment_failed', declined)), { kind: 'thank-you' });
    assert.deepEqual([d.outcome, d.reason], ['skipped', 'only a completed payment is thanked; this is a failure']);
    const refunded = await compose(await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1000, refunded: false })), { kind: 'thank-you' });
    assert.equal(refunded.outcome, 'skipped');
  });

  it('a second workflow on the store, whose CRM Upsert meets the event another workflow recorded, still sends its own message once', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 90_000, currency: 'jpy', email: 'mika@example.jp', name: 'Mika Ito' }));
    // The payment-to-crm (or thank-you) workflow recorded it first; the high-value workflow meets it as a duplicate.
    const firstWorkflow = await through(event);
    assert.equal(firstWorkflow.crm?.outcome, 'recorded');
    const secondWorkflow = await through(event);
    assert.equal(secondWorkflow.crm?.outcome, 'duplicate');
    const alert = await compose(secondWorkflow, { kind: 'high-value-alert', to: 'sales@example.com' });
    assert.deepEqual([alert.outcome, alert.message?.to], ['send', 'sales@example.com']);
    assert.match(String(alert.message!.text), /¥90,000/);
    const thanks = await compose(secondWorkflow, { kind: 'thank-you' });
    assert.deepEqual([thanks.outcome, thanks.message?.to], ['send', 'mika@example.jp']);
    // Either workflow's own replay: the message keys are claimed, nothing goes twice.
    assert.equal((await compose(firstWorkflow, { kind: 'high-value-alert', to: 'sales@example.com' })).outcome, 'duplicate');
    assert.equal((await compose(await through(event), { kind: 'thank-you' })).outcome, 'duplicate');
  });

  it('holds a thank-you composed in quiet hours and a flush releases it once, when they end', async () => {
    const night = new Date('2026-12-02T23:30:00Z');
    const item = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 700, email: 'owl@example.com', name: 'Night Owl' })));
    const held = await compose(item, { kind: 'thank-you', quietHours: { start: '21:00', end: '08:00', timeZone: 'UTC' } }, night);
    assert.deepEqual([held.outcome, held.items.length, held.message?.queuedUntil], ['queued', 0, '2026-12-03T08:00:00.000Z']);
    assert.deepEqual(await flushQueuedMessages(s.db, new Date('2026-12-03T07:59:00Z')), [], 'not before the end of quiet hours');
    const released = await flushQueuedMessages(s.db, new Date('2026-12-03T08:00:00Z'));
    assert.deepEqual(released.map((r) => (r.message as { to: string; text: string }).to), ['owl@example.com']);
    assert.match((released[0]!.message as { text: string }).text, /^Hi Night, thank you for your payment of \$7\.00/);
    assert.deepEqual(await flushQueuedMessages(s.db, new Date('2026-12-03T09:00:00Z')), [], 'released once');
  });

  it('alerts sales about a high-value payment with the segment, lifetime value and recent payments', async () => {
    const email = 'whale@example.jp';
    const on = (iso: string) => ({ created: Math.floor(Date.parse(iso) / 1000) });
    await through(stripeEvent('charge.succeeded', chargeObject({ amount: 8_000, currency: 'jpy', email, name: 'Hana Whale' }), on('2026-11-20T10:00:00Z')));
    const big = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 120_000, currency: 'jpy', email, name: 'Hana Whale' }), on('2026-12-01T10:00:00Z')));
    assert.equal((big as unknown as { segment: { flags?: { highValue?: boolean } } }).segment.flags?.highValue, true);
    const out = await compose(big, { kind: 'high-value-alert', to: 'sales@cafe.example' });
    assert.equal(out.outcome, 'send');
    const m = out.message!;
    assert.deepEqual([m.to, m.amountText, m.subject], ['sales@cafe.example', '¥120,000', 'High-value customer: Hana Whale paid ¥120,000']);
    const lines = m.text.split('\n');
    assert.equal(lines[0], 'High-value customer Hana Whale just paid ¥120,000 at Café Lumen.');
    assert.match(lines[1]!, /^Segment: \S.*\. Lifetime value: ¥128,000 over 2 payment\(s\)\.$/);
    assert.deepEqual(lines.slice(-3), ['Recent payments:', '- 2026-12-01: ¥120,000', '- 2026-11-20: ¥8,000']);
    const small = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 500, currency: 'jpy', email: 'minnow@example.jp' })));
    assert.equal((await compose(small, { kind: 'high-value-alert', to: 'sales@cafe.example' })).outcome, 'skipped');
  });

  it('lists no void sale among the recent payments of a high-value alert, as it counts no void sale among the payments', async () => {
    const email = 'void.whale@example.jp';
    const on = (iso: string) => ({ created: Math.floor(Date.parse(iso) / 1000) });
    await through(stripeEvent('charge.succeeded', chargeObject({ amount: 8_000, currency: 'jpy', email, name: 'Vera Void' }), on('2026-11-20T10:00:00Z')));
    const sale = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 20_000, currency: 'jpy', email, name: 'Vera Void' }), on('2026-11-25T10:00:00Z')));
    await throughEvent(sale);
    // The processor reports that sale void after it succeeded (as Adyen's CAPTURE_FAILED does).
    await throughEvent({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true }, occurredAt: '2026-11-26T10:00:00.000Z' });
    const big = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 120_000, currency: 'jpy', email, name: 'Vera Void' }), on('2026-12-01T10:00:00Z')));
    const m = (await compose(big, { kind: 'high-value-alert', to: 'sales@cafe.example' })).message!;
    const lines = m.text.split('\n');
    assert.match(lines[1]!, /Lifetime value: ¥128,000 over 2 payment\(s\)\.$/);
    assert.deepEqual(lines.slice(-3), ['Recent payments:', '- 2026-12-01: ¥120,000', '- 2026-11-20: ¥8,000']);
  });

  it("a customer's name cannot mention a Slack channel or hide a link: the Slack text escapes what Slack reads, the mail text stays as written", async () => {
    const name = '<!channel> Fox & <https://evil.example|Sons>';
    const big = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 150_000, currency: 'jpy', email: 'fox@example.jp', name })));
    const m = (await compose(big, { kind: 'high-value-alert', to: 'sales@cafe.example' })).message!;
    assert.ok(m.text.startsWith(`High-value customer ${name} just paid`), m.text);
    assert.ok(m.slackText.startsWith('High-value customer &lt;!channel&gt; Fox &amp; &lt;https://evil.example|Sons&gt; just paid'), m.slackText);
    assert.doesNotMatch(m.slackText, /[<>]|&(?!amp;|lt;|gt;)/, 'nothing left for Slack to read as markup');
  });

  it('welcomes a new member and congratulates an upgrade with tier and points; a refund takes points back and says so', async () => {
    const charge = chargeObject({ amount: 2_500, currency: 'kwd', email: 'member@example.com', name: 'Mona Member' });
    const first = await through(stripeEvent('charge.succeeded', charge));
    const [welcome] = membershipEventMessages(first);
    const w = await compose(welcome, { kind: 'loyalty-welcome' });
    assert.deepEqual([w.outcome, w.message?.tier, w.message?.points], ['send', null, 25]);
    assert.equal(w.message?.text, 'Hi Mona, welcome to the Café Lumen loyalty program! You have 25 points.');
    assert.equal((await compose(welcome, { kind: 'loyalty-welcome' })).outcome, 'duplicate');

    const upgrade = await through(stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, currency: 'kwd', email: 'member@example.com', name: 'Mona Member' })));
    const up = await compose(membershipEventMessages(upgrade)[0], { kind: 'loyalty-welcome' });
    assert.equal(up.message?.text, 'Hi Mona, congratulations: you are now a Silver member of the Café Lumen loyalty program, with 625 points.');

    const refund = await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1_000, refunded: false }));
    const r = await compose(refund, { kind: 'refund' });
    assert.equal(r.outcome, 'send');
    assert.equal(r.message?.text, `Hi Mona, KWD${NBSP}1.000 of your KWD${NBSP}2.500 payment at Café Lumen has been refunded to your card. The 10 points it earned were taken back; your balance is 615 points.`);
    assert.equal((await compose(refund, { kind: 'refund' })).outcome, 'duplicate');
  });

  it('does not say "to your card" of a refund the processor made in cash or to a gift card (Square\'s cross-tender refunds)', async () => {
    const charge = chargeObject({ amount: 4_000, currency: 'usd', email: 'cash.back@example.com', name: 'Cass Back' });
    await through(stripeEvent('charge.succeeded', charge));
    const refund = normalizeStripeEvent(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1_500, refunded: false }));
    const inCash = await throughEvent({ ...refund, amount: { minor: 1_500, currency: 'USD' }, refund: { id: 'refund_in_cash', cumulative: false, toCard: false } });
    const r = await compose(inCash, { kind: 'refund' });
    assert.equal(r.message?.text, 'Hi Cass, $15.00 of your $40.00 payment at Café Lumen has been refunded.');
  });

  it('alerts operations once when declines at a terminal pass the rate in the window, with the reasons', async () => {
    const base = Date.parse('2026-12-02T11:00:00Z') / 1000;
    const at = (minute: number, failed?: { code: string; message: string }) =>
      through(stripeEvent(failed ? 'payment_intent.payment_failed' : 'payment_intent.succeeded', paymentIntentObject({ amount: 1000, metadata: { reader_id: 'tmr_front' }, ...(failed ? { failed } : {}) }), { created: base + minute * 60 }));
    const settings = { kind: 'failed-payments', to: 'ops@cafe.example', declines: { windowMinutes: 10, minDeclines: 3, minRate: 0.5 } } as const;
    const declined = { code: 'card_declined', message: 'Your card was declined.' };
    const outcomes: string[] = [];
    outcomes.push((await compose(await at(0), settings)).outcome);
    outcomes.push((await compose(await at(1, declined), settings)).outcome);
    outcomes.push((await compose(await at(2, { code: 'expired_card', message: 'Your card has expired.' }), settings)).outcome);
    const third = await compose(await at(3, declined), settings);
    outcomes.push(third.outcome);
    outcomes.push((await compose(await at(4, declined), settings)).outcome);
    assert.deepEqual(outcomes, ['skipped', 'skipped', 'skipped', 'send', 'skipped'], 'one alert per window');
    assert.equal(third.message?.subject, 'Café Lumen: 3 declined payments at terminal tmr_front in 10 minutes');
    assert.equal(third.message?.text, [
      '3 of 4 payment attempts (75%) at terminal tmr_front were declined in the last 10 minutes.',
      'Decline reasons:',
      '- card_declined: Your card was declined.: 2',
      '- expired_card: Your card has expired.: 1',
    ].join('\n'));
  });

  it('refuses a payment attempt that has not been tokenized, keeping nothing of it: the processor\u2019s card fingerprint goes into no message or store', async () => {
    const event = normalizeStripeEvent(stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 1000, metadata: { reader_id: 'tmr_untokenized' }, failed: { code: 'card_declined', message: 'Your card was declined.' } })));
    const fingerprint = (event.card?.identity as { value: string }).value;
    const settings = { kind: 'failed-payments', to: 'ops@cafe.example', declines: { windowMinutes: 10, minDeclines: 1, minRate: 0 } } as const;
    await assert.rejects(compose(JSON.parse(JSON.stringify(event)), settings), (e: Error) => e.name === 'InputError' && /^card\.identity: Terminal Message received a payment that has not been tokenized\. Fix: put a Tokenize step before Terminal Message/.test(e.message));
    const kept = await s.db.all<{ item: string }>("SELECT item FROM outgoing_messages WHERE subject_id = 'terminal:tmr_untokenized'", []);
    const attempts = await s.db.all<{ event_id: string }>("SELECT event_id FROM payment_attempts WHERE scope = 'terminal:tmr_untokenized'", []);
    assert.deepEqual([kept.length, attempts.length], [0, 0]);
    const tokenized = await compose(tokenizeStep(JSON.parse(JSON.stringify(event)), testKeys()), settings);
    assert.equal(tokenized.outcome, 'send');
    assert.ok(!JSON.stringify(tokenized.items).includes(fingerprint), 'the tokenized alert carries the token, not the fingerprint');
  });

  it("counts a sale once for the decline rate, though Stripe reports it twice (payment_intent.succeeded and charge.succeeded)", async () => {
    const base = Date.parse('2026-12-03T11:00:00Z') / 1000;
    const where = { metadata: { reader_id: 'tmr_patio' } };
    // The failed-payment template: Trigger → Tokenize → Decline Alert.
    const tokenized = (event: object) => tokenizeStep(JSON.parse(JSON.stringify(normalizeStripeEvent(event))), testKeys());
    const outcomes: string[] = [];
    for (let minute = 0; minute < 4; minute++) {
      const pi = paymentIntentObject({ amount: 1000, ...where });
      const created = { created: base + minute * 60 };
      outcomes.push((await compose(tokenized(stripeEvent('payment_intent.succeeded', pi, created)), { kind: 'failed-payments', to: 'ops@cafe.example' })).outcome);
      outcomes.push((await compose(tokenized(stripeEvent('charge.succeeded', chargeObject({ amount: 1000, paymentIntentId: pi.id, ...where }), created)), { kind: 'failed-payments', to: 'ops@cafe.example' })).outcome);
    }
    const declined = { code: 'card_declined', message: 'Your card was declined.' };
    let last;
    for (let minute = 4; minute < 7; minute++) {
      last = await compose(tokenized(stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 1000, ...where, failed: declined }), { created: base + minute * 60 })), { kind: 'failed-payments', to: 'ops@cafe.example' });
      outcomes.push(last.outcome);
    }
    // 3 declines of 7 attempts (43 %) pass the template's default rule of 3 and 30 %; counted per event it read 3 of 11 (27 %).
    assert.deepEqual(outcomes, [...Array(8).fill('skipped'), 'skipped', 'skipped', 'send']);
    assert.match(last!.message!.text, /^3 of 7 payment attempts \(43%\) at terminal tmr_patio were declined in the last 15 minutes\./);
  });

  it("a second partial refund's message names what that refund gave back, as Adyen's and Square's do, not the running total Stripe reports", async () => {
    const charge = chargeObject({ amount: 2_500, currency: 'kwd', email: 'twice@example.com', name: 'Tariq Twice' });
    await through(stripeEvent('charge.succeeded', charge));
    const first = await compose(await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1_000, refunded: false })), { kind: 'refund' });
    assert.equal(first.message?.amountText, `KWD${NBSP}1.000`);
    // Stripe's second charge.refunded carries amount_refunded 1.500: everything refunded so far, of which 0.500 is new.
    const second = await compose(await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1_500, refunded: false })), { kind: 'refund' });
    assert.equal(second.outcome, 'send');
    assert.equal(second.message?.amountText, `KWD${NBSP}0.500`);
    assert.match(String(second.message?.text), new RegExp(`^Hi Tariq, KWD${NBSP}0\\.500 of your KWD${NBSP}2\\.500 payment at Café Lumen has been refunded to your card\\.`));
    // A total already told (an older event arriving late) refunds nothing more: no mail saying KWD 1.500 again.
    const late = await compose(await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 1_000, refunded: false })), { kind: 'refund' });
    assert.deepEqual([late.outcome, late.items.length], ['skipped', 0]);
  });

  it('no thank-you for a sale refunded in full before it is thanked: not when its refund arrived first, nor when quiet hours held the thanks', async () => {
    // Stripe does not promise order: the refund of a sale can come before the sale's own event.
    const pi = paymentIntentObject({ amount: 4_200, email: 'oops@example.com', name: 'Olga Oops' });
    const charge = chargeObject({ amount: 4_200, email: 'oops@example.com', name: 'Olga Oops', paymentIntentId: pi.id });
    await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 4_200, refunded: true }));
    const late = await compose(await through(stripeEvent('payment_intent.succeeded', pi)), { kind: 'thank-you' });
    assert.deepEqual([late.outcome, late.items.length], ['skipped', 0]);
    assert.match(String(late.reason), /refunded in full/);

    // Paid at 23:30, held until 08:00; the clerk refunds it in full at 23:40 and takes the right amount again.
    const quiet = { start: '21:00', end: '08:00', timeZone: 'UTC' };
    const wrong = chargeObject({ amount: 9_900, email: 'night@example.com', name: 'Nina Night' });
    const held = await compose(await through(stripeEvent('charge.succeeded', wrong)), { kind: 'thank-you', quietHours: quiet }, new Date('2026-12-04T23:30:00Z'));
    assert.equal(held.outcome, 'queued');
    await through(stripeEvent('charge.refunded', { ...wrong, amount_refunded: 9_900, refunded: true }));
    const right = chargeObject({ amount: 1_900, email: 'night@example.com', name: 'Nina Night' });
    assert.equal((await compose(await through(stripeEvent('charge.succeeded', right)), { kind: 'thank-you', quietHours: quiet }, new Date('2026-12-04T23:41:00Z'))).outcome, 'queued');
    // A partly refunded sale was still made: it is thanked, for what was paid.
    const partly = chargeObject({ amount: 5_000, email: 'night@example.com', name: 'Nina Night' });
    assert.equal((await compose(await through(stripeEvent('charge.succeeded', partly)), { kind: 'thank-you', quietHours: quiet }, new Date('2026-12-04T23:45:00Z'))).outcome, 'queued');
    await through(stripeEvent('charge.refunded', { ...partly, amount_refunded: 1_000, refunded: false }));

    const released = await flushQueuedMessages(s.db, new Date('2026-12-05T08:00:00Z'));
    assert.deepEqual(released.map((r) => (r.message as { amountText: string }).amountText).sort(), ['$19.00', '$50.00'], 'the refunded sale is not thanked');
    assert.deepEqual(await flushQueuedMessages(s.db, new Date('2026-12-05T09:00:00Z')), [], 'nor handed out later');
  });

  it('no welcome for a membership a void took back while quiet hours held it, nor one composed after the void', async () => {
    const usd = parseLoyaltyProgram({ id: 'welcome-void', currency: 'USD' });
    const options = { merchantId: 'SJ925JDCKKTJJ', livemode: true, currency: 'USD' };
    const loyal = async (events: object[]) => {
      let last;
      for (const event of events) {
        const [upserted] = await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(event)), testKeys()), s.crm)], s.crm);
        last = await loyaltyStep(upserted, { db: s.db, program: usd });
      }
      return last!;
    };
    const quietHours = { start: '21:00', end: '08:00', timeZone: 'UTC' };
    const night = new Date('2026-12-08T23:00:00Z');
    const sale = cloverPayment('chip', { amount: 2_500, token: 'clover-welcome-void', at: new Date('2026-12-08T22:55:00Z') });
    const enrolled = await loyal(normalizeCloverPayment(sale, options));
    const [welcome] = membershipEventMessages(enrolled);
    assert.ok(welcome, 'the sale enrolled them');
    const customerHints = { ...enrolled.customerHints, email: 'vera@example.com' };
    assert.equal((await compose({ ...welcome, customerHints }, { kind: 'loyalty-welcome', quietHours }, night)).outcome, 'queued');
    // The clerk voids the sale a few minutes later.
    const voided = { ...structuredClone(sale), result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: Date.parse('2026-12-08T23:05:00Z'), cardTransaction: { ...(sale.cardTransaction as object), type: 'VOID' } };
    await loyal(normalizeCloverPayment(voided, options));
    assert.deepEqual(await flushQueuedMessages(s.db, new Date('2026-12-09T08:00:00Z'), 100, 'loyalty-welcome'), [], 'withdrawn, not handed out');
    const late = await compose({ ...welcome, customerHints, id: `${welcome.id}-again` }, { kind: 'loyalty-welcome' }, new Date('2026-12-09T09:00:00Z'));
    assert.deepEqual([late.outcome, late.items.length], ['skipped', 0]);
    assert.match(String(late.reason), /voided/);
  });

  it("a flush hands out only the kind of message it is set to, so each template's schedule sends its own held messages through its own steps", async () => {
    const quietHours = { start: '21:00', end: '08:00', timeZone: 'UTC' };
    const night = new Date('2026-12-06T23:00:00Z');
    const charge = chargeObject({ amount: 1_200, currency: 'kwd', email: 'late@example.com', name: 'Lena Late' });
    const item = await through(stripeEvent('charge.succeeded', charge));
    const thanks = await compose(item, { kind: 'thank-you', quietHours }, night);
    const welcome = await compose(membershipEventMessages(item)[0], { kind: 'loyalty-welcome', quietHours }, night);
    const refund = await compose(await through(stripeEvent('charge.refunded', { ...charge, amount_refunded: 200, refunded: false })), { kind: 'refund', quietHours }, night);
    assert.deepEqual([thanks.outcome, welcome.outcome, refund.outcome], ['queued', 'queued', 'queued']);
    const morning = new Date('2026-12-07T08:00:00Z');
    const kinds = async (kind: 'thank-you' | 'loyalty-welcome' | 'refund') => (await flushQueuedMessages(s.db, morning, 100, kind)).map((r) => (r.message as { kind: string; to: string }).kind);
    assert.deepEqual(await kinds('loyalty-welcome'), ['loyalty-welcome']);
    assert.deepEqual(await kinds('refund'), ['refund']);
    assert.deepEqual(await kinds('thank-you'), ['thank-you']);
    assert.deepEqual(await flushQueuedMessages(s.db, morning), [], 'each released once');
  });
});
