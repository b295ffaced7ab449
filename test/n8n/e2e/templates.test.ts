import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startCaptureServer } from '../../support/capture-server';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';
import { createSmtpCredential, publishTemplate, type PublishedTemplate } from './templates-publish';

type Name = 'thank-you' | 'high-value-alert' | 'loyalty-welcome' | 'failed-payment-alert' | 'refund-sync';

/**
 * Every message template on a real n8n 2.39: the pack installed from its tarball, each template imported as
 * shipped with the operator's part filled in (credentials, the Slack URL), signed Stripe deliveries POSTed to its
 * production webhook, and the effect read where it lands — a real SMTP server and a Slack-compatible receiver.
 */
describe('n8n e2e: the message templates, with real mail', { timeout: 600_000 }, () => {
  const tmp = tempDir('tcrm-n8n-templates-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let slack: Awaited<ReturnType<typeof startCaptureServer>>;
  const published = {} as Record<Name, PublishedTemplate>;
  const runs: Record<Name, number> = { 'thank-you': 0, 'high-value-alert': 0, 'loyalty-welcome': 0, 'failed-payment-alert': 0, 'refund-sync': 0 };

  before(async () => {
    smtp = await startSmtpCatcher();
    slack = await startCaptureServer();
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest } = instance);
    const refs = { ...instance.credentials, ...(await createSmtpCredential(rest, smtp)) };
    for (const name of Object.keys(runs) as Name[]) {
      const slackUrl = name === 'high-value-alert' || name === 'failed-payment-alert' ? `${slack.url}/${name}` : undefined;
      published[name] = await publishTemplate(rest, n8n!.baseUrl, `${name}.json`, refs, slackUrl);
    }
    store = await openDatabase(storeUrl);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    await smtp?.close();
    await slack?.close();
    tmp.remove();
  });

  const logHint = () => `\n--- n8n log ---\n${n8n?.logTail()}`;
  /** Posts a signed delivery to the template's trigger; returns the trigger's answer. */
  const deliver = async (name: Name, event: object) => {
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const res = await fetch(published[name].webhookUrl, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Delivers events that start an execution each and waits for all of them to succeed. */
  const run = async (name: Name, ...events: object[]) => {
    for (const e of events) assert.deepEqual((await deliver(name, e)).status, 200);
    runs[name] += events.length;
    const done = await waitForExecutions(rest, published[name].workflowId, runs[name], 60_000);
    assert.ok(done.every((r) => r.status === 'success'), `${JSON.stringify(done)}${logHint()}`);
  };
  const mailsTo = (address: string, count: number) => smtp.waitFor(`${count} mail(s) to ${address}`, () => smtp.to(address).length >= count).then(() => smtp.to(address));

  it('thank-you: a completed JPY payment gets one personal thank-you with the name, ¥ amount, shop and location; a repeat, a decline and a refund get none', async () => {
    const to = 'aiko.tanaka@example.jp';
    const charge = chargeObject({ amount: 1_200, currency: 'jpy', email: to, name: 'Aiko Tanaka', metadata: { location_id: 'tml_shibuya' } });
    const paid = stripeEvent('charge.succeeded', charge);
    await run('thank-you', paid);
    const [mail] = await mailsTo(to, 1);
    assert.equal(mail!.subject, 'Thank you for your visit to Your Shop');
    assert.equal(mail!.text, 'Hi Aiko, thank you for your payment of ¥1,200 at Your Shop (tml_shibuya). We look forward to seeing you again.');
    assert.equal(mail!.from, 'hello@yourshop.example');

    assert.deepEqual((await deliver('thank-you', paid)).body, { received: true, duplicates: [`stripe:${paid.id}`] });
    const declined = stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 800, currency: 'jpy', email: to, failed: { code: 'card_declined', message: 'Your card was declined.' } }));
    const refunded = stripeEvent('charge.refunded', { ...charge, amount_refunded: 200 });
    const other = 'next.customer@example.jp';
    await run('thank-you', declined, refunded, stripeEvent('charge.succeeded', chargeObject({ amount: 450, currency: 'jpy', email: other })));
    await mailsTo(other, 1);
    assert.equal(smtp.to(to).length, 1, 'no second message for the repeat, the decline or the refund');
  });

  it('high-value alert: a 600.00 USD payment alerts sales by email and Slack with segment, lifetime value and recent payments; a small one does not', async () => {
    const whale = chargeObject({ amount: 60_000, email: 'ada.whale@example.com', name: 'Ada Whale' });
    await run('high-value-alert', stripeEvent('charge.succeeded', chargeObject({ amount: 1_500, email: 'minnow@example.org' })), stripeEvent('charge.succeeded', whale));
    const [alert] = await mailsTo('sales@yourshop.example', 1);
    assert.equal(alert!.subject, 'High-value customer: Ada Whale paid $600.00');
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(alert!.text, [
      'High-value customer Ada Whale just paid $600.00 at Your Shop.',
      'Segment: New. Lifetime value: $600.00 over 1 payment(s).',
      'Recent payments:',
      `- ${today}: $600.00`,
    ].join('\n'));
    const posts = slack.to('/high-value-alert');
    assert.equal(posts.length, 1, JSON.stringify(slack.requests));
    assert.deepEqual(posts[0]!.body, { text: alert!.text });
    assert.equal(smtp.to('sales@yourshop.example').length, 1, 'no alert for the small payment');
  });

  it('loyalty welcome: a first payment sends one welcome with the points, although Stripe delivers it twice; reaching Silver sends the tier and balance', async () => {
    const to = 'mona.member@example.net';
    const first = stripeEvent('charge.succeeded', chargeObject({ amount: 2_500, email: to, name: 'Mona Member' }));
    await run('loyalty-welcome', first);
    assert.equal((await deliver('loyalty-welcome', first)).status, 200);
    await run('loyalty-welcome', stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, email: to, name: 'Mona Member' })));
    const mails = await mailsTo(to, 2);
    assert.deepEqual(mails.map((m) => m.text), [
      'Hi Mona, welcome to the Your Shop loyalty program! You have 25 points.',
      'Hi Mona, congratulations: you are now a Silver member of the Your Shop loyalty program, with 625 points.',
    ]);
    assert.equal(mails[1]!.subject, 'You are now a Silver at Your Shop');
  });

  it('failed-payment alert: three declines at one reader within the window send operations one alert with the reasons; the fourth does not', async () => {
    const decline = (code: string, message: string) =>
      stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 1_000, metadata: { reader_id: 'tmr_e2e_front' }, failed: { code, message } }));
    await run('failed-payment-alert', decline('card_declined', 'Your card was declined.'), decline('expired_card', 'Your card has expired.'), decline('card_declined', 'Your card was declined.'));
    const [alert] = await mailsTo('ops@yourshop.example', 1);
    assert.equal(alert!.subject, 'Your Shop: 3 declined payments at terminal tmr_e2e_front in 15 minutes');
    assert.equal(alert!.text, [
      '3 of 3 payment attempts (100%) at terminal tmr_e2e_front were declined in the last 15 minutes.',
      'Decline reasons:',
      '- card_declined: Your card was declined.: 2',
      '- expired_card: Your card has expired.: 1',
    ].join('\n'));
    await run('failed-payment-alert', decline('card_declined', 'Your card was declined.'));
    assert.equal(smtp.to('ops@yourshop.example').length, 1, 'one alert per window');
    assert.deepEqual(slack.to('/failed-payment-alert').map((r) => r.body), [{ text: alert!.text }]);
  });

  it('refund sync: a refund is noted on the customer, takes back its points and tells the customer once', async () => {
    const to = 'rafi.refund@example.com';
    const charge = chargeObject({ amount: 20_000, email: to, name: 'Rafi Refund' });
    await run('refund-sync', stripeEvent('charge.succeeded', charge));
    const refund = stripeEvent('charge.refunded', { ...charge, amount_refunded: 5_000 });
    await run('refund-sync', refund);
    const [mail] = await mailsTo(to, 1);
    assert.equal(mail!.subject, 'Your refund from Your Shop');
    assert.equal(mail!.text, 'Hi Rafi, $50.00 of your $200.00 payment at Your Shop has been refunded to your card. The 50 points it earned were taken back; your balance is 150 points.');
    const tx = await store.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [`stripe:${refund.id}`]);
    const totals = await store.get<{ refunded_minor: number }>("SELECT refunded_minor FROM customer_totals WHERE customer_id = ? AND currency = 'USD'", [tx!.customer_id]);
    assert.equal(Number(totals?.refunded_minor), 5_000, 'the reversal is on the customer');
    assert.equal((await deliver('refund-sync', refund)).status, 200);
    await run('refund-sync', stripeEvent('charge.succeeded', chargeObject({ amount: 100, email: 'other@example.com' })));
    assert.equal(smtp.to(to).length, 1, 'the redelivered refund sends no second message');
  });
});
