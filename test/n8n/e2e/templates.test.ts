import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import type { N8nWorkflowFile } from '../../../sandbox/run/n8n/workflow-file';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startCaptureServer } from '../../support/capture-server';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';
import { importTemplate, upsertSmtpCredential, type TemplateWorkflow } from '../../../sandbox/run/n8n/template-workflows';

type Name = 'thank-you' | 'thank-you-sms' | 'high-value-alert' | 'loyalty-welcome' | 'failed-payment-alert' | 'refund-sync';

const NBSP = '\u00a0';
/** What the operator fills in to switch the thank-you's SMS on: a Twilio account (the gateway here is a local receiver). */
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'e2e-auth-token', from: '+15005550006' };
const TWILIO_URL = 'https://api.twilio.com';
const messagesPath = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

/**
 * The thank-you template with its SMS switched on as its sticky note says: the Account SID in the URL (and the
 * gateway's base URL, here a local receiver), a Basic Auth credential, the node activated. Its trigger gets a
 * webhook id of its own, so it runs beside the copy imported as shipped.
 */
function withSms(smsBaseUrl: string, credential: { id: string; name: string }) {
  return (t: N8nWorkflowFile): N8nWorkflowFile => ({
    ...t,
    name: `${t.name ?? 'thank-you'} (SMS on)`,
    nodes: t.nodes.map((n) => {
      if (n.type.endsWith('.terminalTrigger')) return { ...n, webhookId: randomUUID() };
      if (n.name !== 'Send SMS') return n;
      const parameters = n.parameters as { url: string };
      assert.equal(parameters.url, `${TWILIO_URL}/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json`, 'the template ships the Twilio URL with a placeholder SID');
      assert.equal(n.disabled, true, 'the SMS is off as shipped');
      const url = parameters.url.replace(TWILIO_URL, smsBaseUrl).replace(/AC[X]{32}/, TWILIO.accountSid);
      return { ...n, disabled: false, parameters: { ...parameters, url }, credentials: { httpBasicAuth: credential } };
    }),
  });
}

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
  let sms: Awaited<ReturnType<typeof startCaptureServer>>;
  const published = {} as Record<Name, TemplateWorkflow>;
  const runs: Record<Name, number> = { 'thank-you': 0, 'thank-you-sms': 0, 'high-value-alert': 0, 'loyalty-welcome': 0, 'failed-payment-alert': 0, 'refund-sync': 0 };

  before(async () => {
    smtp = await startSmtpCatcher();
    slack = await startCaptureServer();
    sms = await startCaptureServer();
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest } = instance);
    const refs = { ...instance.credentials, ...(await upsertSmtpCredential(rest, smtp, 'Mail catcher (e2e)')) };
    for (const name of Object.keys(runs).filter((n) => n !== 'thank-you-sms') as Name[]) {
      const slackUrl = name === 'high-value-alert' || name === 'failed-payment-alert' ? `${slack.url}/${name}` : undefined;
      published[name] = await importTemplate(rest, n8n!.baseUrl, name, refs, { slackUrl });
    }
    const basicAuth = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
      name: 'Twilio (e2e)',
      type: 'httpBasicAuth',
      data: { user: TWILIO.accountSid, password: TWILIO.authToken },
    });
    published['thank-you-sms'] = await importTemplate(rest, n8n!.baseUrl, 'thank-you', refs, { edit: withSms(sms.url, { id: basicAuth.id, name: basicAuth.name }) });
    store = await openDatabase(storeUrl);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    await smtp?.close();
    await slack?.close();
    await sms?.close();
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

  it('thank-you with SMS on: the gateway gets a Twilio-shaped form (To, From, Body; Basic auth) with the name and KWD 12.500; Stripe\'s second event and a repeat send no second SMS; a customer known only by phone gets the SMS and no mail', async () => {
    const email = 'layla.sms@example.com';
    const pi = paymentIntentObject({ amount: 12_500, currency: 'kwd', email, phone: '(415) 555-0142', name: 'Layla Haddad' });
    const charge = stripeEvent('charge.succeeded', chargeObject({ amount: 12_500, currency: 'kwd', email, phone: '(415) 555-0142', name: 'Layla Haddad', paymentIntentId: pi.id }));
    await run('thank-you-sms', charge, stripeEvent('payment_intent.succeeded', pi));
    assert.deepEqual((await deliver('thank-you-sms', charge)).body, { received: true, duplicates: [`stripe:${charge.id}`] });
    const [mail] = await mailsTo(email, 1);
    const texts = () => sms.to(messagesPath).map((r) => ({ ...r, form: Object.fromEntries(new URLSearchParams(String(r.body))) }));
    const smsCount = async (count: number) => {
      for (const deadline = Date.now() + 20_000; texts().length < count; await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} SMS; the gateway got: ${JSON.stringify(sms.requests)}${logHint()}`);
      }
    };
    await smsCount(1);
    const [first] = texts();
    assert.equal(first!.method, 'POST');
    assert.match(String(first!.headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.equal(first!.headers.authorization, `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`);
    assert.deepEqual(first!.form, {
      To: '+14155550142',
      From: TWILIO.from,
      Body: `Hi Layla, thank you for your payment of KWD${NBSP}12.500 at Your Shop. We look forward to seeing you again.`,
    });
    assert.equal(mail!.text, first!.form.Body, 'the SMS says what the mail says');

    await run('thank-you-sms', stripeEvent('charge.succeeded', chargeObject({ amount: 900, currency: 'gbp', phone: '+44 20 7946 0958', name: 'Ada Lovelace' })));
    await smsCount(2);
    assert.deepEqual(texts().map((t) => [t.form.To, t.form.Body]), [
      ['+14155550142', first!.form.Body],
      ['+442079460958', 'Hi Ada, thank you for your payment of £9.00 at Your Shop. We look forward to seeing you again.'],
    ], 'one SMS per payment');
    // Ada has no email: had Has Email? let her through, Send Thank-You would have failed the execution `run` checks.
    assert.equal(smtp.to(email).length, 1);
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
