import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { ensureEngine } from '../../../sandbox/install';
import { editorHtml } from '../../../sandbox/run/node-red/admin-api';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { packRepo, readManifest } from '../../../sandbox/run/shared/pack';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startCaptureServer } from '../../support/capture-server';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';
import { postWebhook } from './harness/webhook';
import { deployTemplateExamples, type DeployedTemplate, type TemplateExample } from './templates-deploy';

const NBSP = '\u00a0';
/** The Twilio account the test switches the thank-you's SMS on with (the gateway is a local receiver). */
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'e2e-auth-token' };
const MESSAGES_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

/**
 * Every message template example on a real Node-RED 5, installed from the package tarball: deployed as Import →
 * Examples serves it with the operator's settings, signed Stripe deliveries posted to its trigger, the mail read
 * at a real SMTP server and the Slack posts at a local receiver.
 */
describe('Node-RED 5 e2e: the message template examples, with real mail', { timeout: 420_000 }, () => {
  const work = tempDir('tcrm-node-red-templates-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let db: SqlDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let slack: Awaited<ReturnType<typeof startCaptureServer>>;
  let sms: Awaited<ReturnType<typeof startCaptureServer>>;
  let examples: Record<TemplateExample, DeployedTemplate>;

  before(async () => {
    smtp = await startSmtpCatcher();
    slack = await startCaptureServer();
    sms = await startCaptureServer();
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    const setup = { webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS };
    ({ nodeRed } = await startNodeRedWithPaymentFlow({ engine, userDir: join(work.path, 'user'), packed, port: await freePort(), credentialSecret: 'terminal-crm-e2e', setup: { ...setup, path: '/e2e/stripe' } }));
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
    examples = await nodeRed.explain(() =>
      deployTemplateExamples(nodeRed!.baseUrl, readManifest().name, setup, { host: smtp.host, port: smtp.port, from: 'shop@e2e.example' }, (name) => `${slack.url}/${name}`, { baseUrl: sms.url, ...TWILIO }),
    );
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    await closeAllDatabases();
    await smtp?.close();
    await slack?.close();
    await sms?.close();
    work.remove();
  });

  const noFlowErrors = () => {
    const errors = comms!.debugMessages().filter((m) => m.name === 'what went wrong');
    if (errors.length) throw new Error(`a flow's Catch node reported: ${errors.map((e) => String(e.value)).join('; ')}`);
  };
  const deliver = async (name: TemplateExample, ...events: object[]) => {
    for (const event of events) {
      const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
      const answer = await postWebhook(examples[name].webhookUrl, d.body, d.headers);
      assert.equal(answer.status, 200, answer.text);
    }
  };
  const mailsTo = (address: string, count: number) =>
    comms!.waitFor(`${count} mail(s) to ${address}`, () => {
      noFlowErrors();
      return smtp.to(address).length >= count ? smtp.to(address) : undefined;
    }, 30_000);
  /** The message node of an example has handled the event once its status names it or says why it sent nothing. */
  const settled = (name: TemplateExample, count: number) =>
    comms!.waitFor(`${count} status update(s) of the ${name} message node`, () => {
      noFlowErrors();
      const id = examples[name].flow.find((n) => n.type === 'terminal-message' && n.mode === 'compose')!.id;
      const seen = comms!.events.filter((e) => e.topic === `status/${id}`).length;
      return seen >= count ? true : undefined;
    }, 30_000);

  it('gives the editor a form and help for terminal message and terminal send message', async () => {
    const html = await editorHtml(nodeRed!.baseUrl);
    for (const type of ['terminal-message', 'terminal-send-message']) {
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      assert.match(html, new RegExp(`data-help-name="${type}"`));
    }
  });

  it('thank-you: a KWD payment gets one thank-you with the name, KWD 12.500, shop and location; a repeat, a decline and a refund get none', async () => {
    const to = 'layla@example.com';
    const charge = chargeObject({ amount: 12_500, currency: 'kwd', email: to, name: 'Layla Haddad', metadata: { location_id: 'tml_marina' } });
    const paid = stripeEvent('charge.succeeded', charge);
    await deliver('thank-you', paid, paid);
    const [mail] = await mailsTo(to, 1);
    assert.deepEqual([mail!.from, mail!.subject], ['shop@e2e.example', 'Thank you for your visit to Your Shop']);
    assert.equal(mail!.text, `Hi Layla, thank you for your payment of KWD${NBSP}12.500 at Your Shop (tml_marina). We look forward to seeing you again.`);
    const declined = stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 900, currency: 'kwd', email: to, failed: { code: 'card_declined', message: 'Your card was declined.' } }));
    await deliver('thank-you', declined, stripeEvent('charge.refunded', { ...charge, amount_refunded: 2_500 }));
    await settled('thank-you', 3);
    await deliver('thank-you', stripeEvent('charge.succeeded', chargeObject({ amount: 300, currency: 'kwd', email: 'after@example.com' })));
    await mailsTo('after@example.com', 1);
    assert.equal(smtp.to(to).length, 1, 'no second message for the repeat, the decline or the refund');
  });

  it('thank-you with SMS on: the gateway gets a Twilio-shaped form (To, From, Body; Basic auth) with the name and KWD 12.500; Stripe\'s second event and a repeat send no second SMS; a customer known only by phone gets the SMS', async () => {
    const email = 'nr.layla.sms@example.com';
    const messageNode = examples['thank-you'].flow.find((n) => n.type === 'terminal-message' && n.mode === 'compose')!.id;
    const statuses = () => comms!.events.filter((e) => e.topic === `status/${messageNode}`).length;
    const texts = () => sms.to(MESSAGES_PATH).map((r) => ({ ...r, form: Object.fromEntries(new URLSearchParams(String(r.body))) }));
    const smsCount = (count: number) => comms!.waitFor(`${count} SMS`, () => (noFlowErrors(), texts().length >= count ? true : undefined), 30_000);

    const seen = statuses();
    const pi = paymentIntentObject({ amount: 12_500, currency: 'kwd', email, phone: '(415) 555-0177', name: 'Layla Haddad' });
    const charge = stripeEvent('charge.succeeded', chargeObject({ amount: 12_500, currency: 'kwd', email, phone: '(415) 555-0177', name: 'Layla Haddad', paymentIntentId: pi.id }));
    await deliver('thank-you', charge, stripeEvent('payment_intent.succeeded', pi), charge);
    await smsCount(1);
    const [mail] = await mailsTo(email, 1);
    await comms!.waitFor('both events at the message node', () => (statuses() >= seen + 2 ? true : undefined), 30_000);
    const [first] = texts();
    assert.equal(first!.method, 'POST');
    assert.match(String(first!.headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.equal(first!.headers.authorization, `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}`);
    assert.deepEqual(first!.form, {
      To: '+14155550177',
      From: '+15005550006',
      Body: `Hi Layla, thank you for your payment of KWD${NBSP}12.500 at Your Shop. We look forward to seeing you again.`,
    });
    assert.equal(mail!.text, first!.form.Body, 'the SMS says what the mail says');

    await deliver('thank-you', stripeEvent('charge.succeeded', chargeObject({ amount: 900, currency: 'gbp', phone: '+44 20 7946 0959', name: 'Ada Lovelace' })));
    await smsCount(2);
    assert.deepEqual(texts().map((t) => [t.form.To, t.form.Body]), [
      ['+14155550177', first!.form.Body],
      ['+442079460959', 'Hi Ada, thank you for your payment of £9.00 at Your Shop. We look forward to seeing you again.'],
    ], 'one SMS per payment');
    assert.equal(smtp.to(email).length, 1);
  });

  it('high-value alert: an 800.00 USD payment alerts sales by email and Slack; a small one does not', async () => {
    await deliver('high-value-alert', stripeEvent('charge.succeeded', chargeObject({ amount: 1_200, email: 'nr.minnow@example.org' })));
    await settled('high-value-alert', 1);
    await deliver('high-value-alert', stripeEvent('charge.succeeded', chargeObject({ amount: 80_000, email: 'grace@example.com', name: 'Grace Whale' })));
    const [alert] = await mailsTo('sales@yourshop.example', 1);
    assert.equal(alert!.subject, 'High-value customer: Grace Whale paid $800.00');
    assert.deepEqual(alert!.text.split('\n').slice(0, 2), ['High-value customer Grace Whale just paid $800.00 at Your Shop.', 'Segment: New. Lifetime value: $800.00 over 1 payment(s).']);
    await comms!.waitFor('the Slack post', () => (slack.to('/high-value-alert').length ? true : undefined));
    assert.deepEqual(slack.to('/high-value-alert').map((r) => r.body), [{ text: alert!.text }]);
    assert.equal(smtp.to('sales@yourshop.example').length, 1);
  });

  it('loyalty welcome: one welcome with the points for a payment delivered twice, then the Silver tier with the balance', async () => {
    const to = 'nr.member@example.net';
    const first = stripeEvent('charge.succeeded', chargeObject({ amount: 3_000, email: to, name: 'Nora Member' }));
    await deliver('loyalty-welcome', first, first);
    await mailsTo(to, 1);
    await deliver('loyalty-welcome', stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, email: to, name: 'Nora Member' })));
    const mails = await mailsTo(to, 2);
    assert.deepEqual(mails.map((m) => m.text), [
      'Hi Nora, welcome to the Your Shop loyalty program! You have 30 points.',
      'Hi Nora, congratulations: you are now a Silver member of the Your Shop loyalty program, with 630 points.',
    ]);
  });

  it('failed-payment alert: three declines at one reader send operations one alert with the reasons', async () => {
    const decline = (code: string, message: string) =>
      stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 500, metadata: { reader_id: 'tmr_nr_back' }, failed: { code, message } }));
    await deliver('failed-payment-alert', decline('card_declined', 'Your card was declined.'), decline('card_declined', 'Your card was declined.'), decline('incorrect_pin', 'The PIN is incorrect.'));
    const [alert] = await mailsTo('ops@yourshop.example', 1);
    assert.equal(alert!.text, [
      '3 of 3 payment attempts (100%) at terminal tmr_nr_back were declined in the last 15 minutes.',
      'Decline reasons:',
      '- card_declined: Your card was declined.: 2',
      '- incorrect_pin: The PIN is incorrect.: 1',
    ].join('\n'));
    await deliver('failed-payment-alert', decline('card_declined', 'Your card was declined.'));
    await settled('failed-payment-alert', 4);
    assert.equal(smtp.to('ops@yourshop.example').length, 1, 'one alert per window');
  });

  it('refund sync: the refund is noted, its points taken back, and the customer told once', async () => {
    const to = 'nr.refund@example.com';
    const charge = chargeObject({ amount: 40_000, email: to, name: 'Rosa Refund' });
    await deliver('refund-sync', stripeEvent('charge.succeeded', charge));
    await settled('refund-sync', 1);
    const refund = stripeEvent('charge.refunded', { ...charge, amount_refunded: 10_000 });
    await deliver('refund-sync', refund, refund);
    const [mail] = await mailsTo(to, 1);
    assert.equal(mail!.text, 'Hi Rosa, $100.00 of your $400.00 payment at Your Shop has been refunded to your card. The 100 points it earned were taken back; your balance is 300 points.');
    const tx = await db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [`stripe:${refund.id}`]);
    const member = await db.get<{ points_balance: number }>("SELECT points_balance FROM loyalty_members WHERE program_id = 'default' AND customer_id = ?", [tx!.customer_id]);
    assert.equal(Number(member?.points_balance), 300);
    await deliver('refund-sync', stripeEvent('charge.succeeded', chargeObject({ amount: 100, email: 'later@example.com' })));
    await settled('refund-sync', 3);
    assert.equal(smtp.to(to).length, 1);
  });
});
