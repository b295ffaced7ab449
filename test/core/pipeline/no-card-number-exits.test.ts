import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { messageStep } from '../../../nodes/core/messages/message-step';
import { sendMessageByMail } from '../../../nodes/core/messages/send-mail';
import { parseMessageSettings } from '../../../nodes/core/messages/settings';
import { crmSyncLimits, runCrmSync } from '../../../nodes/core/outbox/sync-run';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { matchStep, tokenizeStep } from '../../../nodes/core/steps/steps';
import { upsertToCrmStep, type SaasCrmTarget } from '../../../nodes/core/steps/upsert-to-crm';
import { luhnValid, PAN_REDACTION, PIN_REDACTION, SECURITY_CODE_REDACTION } from '../../../nodes/core/pan-scrub';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { failFastOnInputError } from '../../../temporal/activities/fail-fast';
import { startFromWebhook } from '../../../temporal/start-from-webhook';
import { GENERIC_SANDBOX_CONFIG, genericEvent } from '../../../sandbox/simulator/generic-events';
import { squareEvent, squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { DODO_TEST_SECRET } from '../sources/generic-support';
import { deliveryOf, KEY as SQUARE_KEY } from '../sources/square-fixtures';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { tempStore, TEST_WEBHOOK_SECRET, testKeys } from '../../support/temp-store';
import { fakeClock, useNock } from '../crm/saas/hubspot-kit';
import { PipedriveMock } from '../crm/saas/mocks/pipedrive-mock';
import { hubspotOutbox, hubspotTarget } from '../outbox/support/outbox-kit';
import { CANARY_CVV, CANARY_CVV_FIELD, CANARY_PANS, CANARY_PIN, CANARY_SOURCES, NO_BUYER, PAYING_CARD, TRACK2, type Arrival } from './canary-deliveries';

/**
 * Card numbers typed into every free-text field a merchant or buyer controls, followed through every exit of the core
 * at once: the Temporal webhook entry (what it starts a workflow with), the events it passes on, the store (every text
 * column of every table), both CRMs' request bodies, the thank-you mail, and whatever is written to the console.
 */
type Store = Awaited<ReturnType<typeof tempStore>>;
type Catcher = Awaited<ReturnType<typeof startSmtpCatcher>>;

const PIPEDRIVE = { token: 'pd-api-token-canary', customerField: '9dc80c50d78a15643bfc4ca79d76156a73a1a4d8', paymentField: '5b1c7e3f8a2d4c6b9e0f1a2b3c4d5e6f7a8b9c0d' };
const program = parseLoyaltyProgram({ id: 'canary-club', currency: 'USD' });
const thankYou = parseMessageSettings({ kind: 'thank-you', shopName: 'Canary Café' });

/** A Temporal client that keeps what the webhook entry would start or signal a workflow with. */
function recordingClient(started: unknown[]): Client {
  const handle = (options: { workflowId: string }) => ({ workflowId: options.workflowId, signaledRunId: 'run-1', firstExecutionRunId: 'run-1' });
  const keep = async (type: string, options: { workflowId: string }) => (started.push({ type, options }), handle(options));
  return { workflow: { signalWithStart: keep, start: keep } } as unknown as Client;
}

/** Everything written to the console or stderr while `run` runs. */
async function capturingOutput<T>(lines: string[], run: () => Promise<T>): Promise<T> {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((m) => console[m]);
  const stderr = process.stderr.write;
  for (const m of methods) console[m] = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return await run();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    process.stderr.write = stderr;
  }
}

/** Every text value of every table the store has, by table. */
async function storeDump(s: Store): Promise<Record<string, unknown[]>> {
  const tables = await s.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) out[name] = (await s.db.all<Record<string, unknown>>(`SELECT * FROM "${name}"`)).map((r) => Object.values(r).filter((v) => typeof v === 'string'));
  return out;
}

interface Exits {
  temporal: unknown[];
  events: unknown[];
  answers: unknown[];
  items: unknown[];
  crm: unknown[];
  mail: unknown[];
  output: string[];
  store: Record<string, unknown[]>;
}

/**
 * The deliveries through the core as the faces chain it: the webhook entry (receive, keep in the inbox, hand to
 * Temporal), Tokenize, Match Customer, CRM Upsert (HubSpot's flow, then Pipedrive's on the same store), Segment,
 * Loyalty Enroll, the thank-you message and its mail; then a CRM Sync of each CRM drains what waits.
 */
async function throughEveryExit(arrivals: readonly Arrival[], catcher: Catcher): Promise<Exits> {
  const s = await tempStore();
  const keys = testKeys();
  const exits: Exits = { temporal: [], events: [], answers: [], items: [], crm: [], mail: [], output: [], store: {} };
  try {
    const hub = await hubspotOutbox({ clock: fakeClock(Date.UTC(2025, 9, 3, 12)) });
    const { clock } = hub;
    const pipedrive = new PipedriveMock({ apiToken: PIPEDRIVE.token, customerIdField: PIPEDRIVE.customerField, paymentKeyField: PIPEDRIVE.paymentField, now: clock.now }).start();
    const pipedriveAdapter = crmAdapterFromEnv('pipedrive', {
      PIPEDRIVE_API_TOKEN: PIPEDRIVE.token, PIPEDRIVE_CUSTOMER_ID_FIELD: PIPEDRIVE.customerField, PIPEDRIVE_PAYMENT_KEY_FIELD: PIPEDRIVE.paymentField,
    }, { clock });
    const targets: SaasCrmTarget[] = [
      hubspotTarget(hub, 0),
      { crm: 'pipedrive', adapter: () => pipedriveAdapter, waitMs: 0, drain: { now: clock.now, sleep: clock.sleep, owner: 'canary-pipedrive', random: () => 0.5, concurrency: 1 } },
    ];
    const client = recordingClient(exits.temporal);
    const mailTo = new Set<string>();
    await capturingOutput(exits.output, async () => {
      for (const a of arrivals) {
        const inbox = new SqlInbox(s.db, keys, 'temporal:webhook-entry');
        const out = await startFromWebhook(client, a.source, a.request, { ...a.receive, inbox }, { workflow: 'saga' });
        assert.equal(out.status, 200, out.answer.body);
        assert.ok(out.events.length > 0, JSON.stringify(out.report));
        exits.answers.push(out.answer, out.report);
        for (const event of out.events) {
          exits.events.push(event);
          const matched = await matchStep(tokenizeStep(event, keys), s.crm);
          let upserted: unknown;
          for (const target of targets) [upserted] = await upsertToCrmStep([matched], s.db, target);
          const loyal = await loyaltyStep(await segmentStep(upserted, { db: s.db }), { db: s.db, program });
          const composed = await messageStep(loyal, { db: s.db, settings: thankYou, now: () => new Date(Date.UTC(2025, 9, 3, 12)) });
          exits.items.push(loyal, composed);
          if (composed.outcome !== 'send') continue;
          await sendMessageByMail({ host: catcher.host, port: catcher.port, secure: false, from: 'shop@canary.example' }, composed.message!, undefined, {
            host: 'SMTP host', port: 'Port', secure: 'TLS from the start (port 465)', from: 'From', to: 'To',
          });
          mailTo.add(composed.message!.to);
        }
      }
      for (const [adapter, crm] of [[hub.adapter, 'hubspot'], [pipedriveAdapter, 'pipedrive']] as const) {
        const { summary } = await runCrmSync(s.db, adapter, crmSyncLimits({}), 'CRM account', { now: clock.now, sleep: clock.sleep });
        assert.deepEqual([summary.rejected, summary.dead, summary.waiting], [0, 0, 0], `${crm}: ${JSON.stringify(summary)}`);
      }
    });
    // What each CRM was sent: the paths and queries too, where a search puts what it looks for.
    exits.crm.push(...hub.mock.calls.map(({ authorization: _a, ...call }) => call), ...pipedrive.calls.map(({ headers: _h, ...call }) => call));
    assert.ok(hub.mock.calls.some((c) => c.method !== 'GET' && c.status < 300), 'HubSpot was written to');
    assert.ok(pipedrive.calls.some((c) => c.method !== 'GET' && (c.status ?? 500) < 300), 'Pipedrive was written to');
    for (const to of mailTo) exits.mail.push(...catcher.to(to));
    exits.store = await storeDump(s);
    return exits;
  } finally {
    await s.remove();
  }
}

/** Digits only: a card number spelt with spaces, dashes or split over fields is still found. */
/** Track 2 after its card number: expiry, service code and the discretionary data (where a card's CVV1 and PIN offset are). */
const TRACK2_REST = TRACK2.slice(TRACK2.indexOf('=') + 1).replace(/\D/g, '');
const digitsOf = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/\D/g, '');

function assertNoCardData(label: string, exits: Exits): void {
  const places: [string, unknown][] = [
    ['what Temporal is handed', exits.temporal], ['the events passed on', exits.events], ['the answer to the processor', exits.answers],
    ['the steps\' items', exits.items], ['the CRM requests', exits.crm], ['the mail', exits.mail], ['the console and stderr', exits.output],
    ...Object.entries(exits.store).map(([table, rows]): [string, unknown] => [`the store's ${table}`, rows]),
  ];
  for (const [where, value] of places) {
    const digits = digitsOf(value);
    for (const pan of CANARY_PANS) {
      assert.ok(!digits.includes(pan.slice(-12)), `${label}: card number ${pan} (its last 12 digits) left through ${where}: ${JSON.stringify(value)}`);
    }
    assert.ok(!digits.includes(TRACK2_REST), `${label}: the track's data after its card number left through ${where}: ${JSON.stringify(value)}`);
    const text = JSON.stringify(value) ?? '';
    // The field named cvv (its key, however often the JSON holding it was quoted again); the name typed in a note stays.
    assert.doesNotMatch(text, /\bcvv\\*"\s*:/i, `${label}: a CVV field left through ${where}: ${text}`);
    // The security code and the PIN typed in the notes, and the cvv field's value: nowhere as a word of their own (the
    // store's random ids may hold the same digits inside them).
    for (const [what, code] of [['security code', CANARY_CVV], ['PIN', CANARY_PIN], ['cvv field\'s value', CANARY_CVV_FIELD]]) {
      assert.doesNotMatch(text, new RegExp(`(?<!\\w)${code}(?!\\w)`), `${label}: the ${what} ${code} left through ${where}: ${text}`);
    }
  }
}

describe('a card number, security code or PIN typed anywhere in a delivery leaves through no exit', { timeout: 60_000 }, () => {
  useNock();
  let catcher: Catcher;
  before(async () => { catcher = await startSmtpCatcher(); });
  after(() => catcher.close());

  it('the canaries are card numbers the scrub must catch (Luhn-valid, 15 to 19 digits), and the track holds one', () => {
    for (const pan of CANARY_PANS) assert.ok(luhnValid(pan) && pan.length >= 15 && pan.length <= 19, pan);
    assert.ok(TRACK2.includes(CANARY_PANS[4]));
  });

  for (const [name, arrivals] of Object.entries(CANARY_SOURCES)) {
    it(`${name}: every exit is free of them, while the paying card's BIN and last four are kept`, async () => {
      const exits = await throughEveryExit(arrivals(), catcher);
      assertNoCardData(name, exits);
      assert.ok(exits.temporal.length >= 2 && exits.events.length >= 2, 'both deliveries reached Temporal and the steps');
      // Not vacuous: the source read the planted fields (and redacted them), and thanked a shopper it can write to.
      assert.ok(JSON.stringify(exits.events).includes(PAN_REDACTION), 'a planted card number was read and redacted');
      for (const redaction of [SECURITY_CODE_REDACTION, PIN_REDACTION]) assert.ok(JSON.stringify(exits.events).includes(redaction), `a planted code was read and redacted: ${redaction}`);
      assert.equal(exits.mail.length, NO_BUYER.includes(name) ? 0 : 2, JSON.stringify(exits.items));
      assert.ok(JSON.stringify(exits.store.transactions).includes(PAYING_CARD.last4), 'the last four are kept');
    });
  }
});

/**
 * A card number where it makes the delivery refused or ignored: an amount, a currency, a time, an event type, a header
 * that fails its check. Each of these is quoted back by the message that says what is wrong with it, and that message
 * is answered to the processor, put in the report, logged, and (from a poll or a saga) kept in a Temporal failure.
 */
interface Planted {
  name: string;
  arrival: () => Arrival;
  /** What the delivery is answered: refused (4xx) or acknowledged with the item ignored (200). */
  status: number;
  /** What the answer says of the planted value: by default, that it quoted it redacted. */
  says?: string;
}

const PLANTED = CANARY_PANS[0];
const RECEIVED = new Date(Date.UTC(2025, 9, 3, 10, 0, 2));

/** A generic (Standard Webhooks) delivery of the sandbox gateway's payment, changed by `change`, signed with standardwebhooks. */
function genericArrival(change: (event: Record<string, unknown>, data: Record<string, unknown>) => void, headers: Record<string, string> = {}): Arrival {
  const signedAt = new Date(RECEIVED.getTime() - 1000);
  const event = genericEvent('chip', { now: signedAt }, signedAt);
  change(event, event.data as Record<string, unknown>);
  const body = JSON.stringify(event);
  const request: WebhookRequest = {
    rawBody: Buffer.from(body), method: 'POST', url: 'https://shop.example/webhooks/generic', receivedAt: RECEIVED,
    headers: {
      'content-type': 'application/json', 'webhook-id': 'msg_planted', 'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
      'webhook-signature': new Webhook(DODO_TEST_SECRET).sign('msg_planted', signedAt, body), ...headers,
    },
  };
  return { source: createGenericSource(GENERIC_SANDBOX_CONFIG), request, receive: { credentials: { secret: DODO_TEST_SECRET } } };
}

function stripeArrival(type: string): Arrival {
  const created = Math.floor(RECEIVED.getTime() / 1000) - 1;
  const d = signedDelivery(stripeEvent(type, chargeObject({ amount: 2500, created }), { created }), TEST_WEBHOOK_SECRET, created);
  return { source: 'stripe', request: { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://shop.example/webhooks/stripe', receivedAt: RECEIVED }, receive: { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } };
}

function squareArrival(type: string): Arrival {
  const payment = squarePaymentObject({ amount: 2500, createdAt: new Date(RECEIVED.getTime() - 1000).toISOString() });
  return { source: 'square', request: deliveryOf(squareEvent(type, payment), { receivedAt: RECEIVED }), receive: { credentials: { signatureKey: SQUARE_KEY } } };
}

const PLANTED_DELIVERIES: Planted[] = [
  { name: 'generic: a card number as the currency', status: 400, arrival: () => genericArrival((_e, data) => { data.currency = PLANTED; }) },
  { name: 'generic: a card number as the amount (minor units, as text)', status: 400, says: 'mapping.amount: holds a card number, not an amount', arrival: () => genericArrival((_e, data) => { data.total_amount = PLANTED; }) },
  { name: 'generic: a card number as the amount (minor units, a JSON number)', status: 400, says: 'mapping.amount: holds a card number, not an amount', arrival: () => genericArrival((_e, data) => { data.total_amount = Number(PLANTED); }) },
  { name: 'generic: a card number with decimals as the amount', status: 400, arrival: () => genericArrival((_e, data) => { data.total_amount = `${PLANTED}.5`; }) },
  { name: 'generic: a card number as the time', status: 400, arrival: () => genericArrival((e) => { e.timestamp = `on ${PLANTED}`; }) },
  { name: 'generic: a card number as the event type', status: 200, arrival: () => genericArrival((e) => { e.type = PLANTED; }) },
  { name: 'generic: a card number as the webhook-timestamp header', status: 400, arrival: () => genericArrival(() => {}, { 'webhook-timestamp': PLANTED }) },
  { name: 'stripe: a card number in the event type', status: 200, arrival: () => stripeArrival(`charge.${PLANTED}`) },
  { name: 'square: a card number in the event type', status: 200, arrival: () => squareArrival(`payment.${PLANTED}`) },
];

/** The failure a Temporal activity records of what reading `arrival` throws (its message, stack and details). */
async function activityFailure(arrival: Arrival): Promise<unknown[]> {
  const source = typeof arrival.source === 'string' ? undefined : arrival.source;
  if (!source) return [];
  const ctx = { now: () => RECEIVED };
  try {
    await failFastOnInputError(async () => {
      const verified = await source.verify(arrival.request, arrival.receive.credentials, ctx);
      for (const item of verified.items) await source.normalize(item, arrival.receive.credentials, ctx);
    });
  } catch (e) {
    if (!(e instanceof ApplicationFailure)) return [String(e), (e as Error).stack];
    return [e.message, e.stack, e.details];
  }
  return [];
}

describe('a card number where it makes a delivery refused or ignored leaves through no exit', { timeout: 60_000 }, () => {
  for (const planted of PLANTED_DELIVERIES) {
    it(`${planted.name}: answered ${planted.status}, quoted redacted in the answer, the report, the store and the console`, async () => {
      const s = await tempStore();
      const exits: Exits = { temporal: [], events: [], answers: [], items: [], crm: [], mail: [], output: [], store: {} };
      try {
        const a = planted.arrival();
        const out = await capturingOutput(exits.output, () =>
          startFromWebhook(recordingClient(exits.temporal), a.source, a.request, { ...a.receive, inbox: new SqlInbox(s.db, testKeys(), 'temporal:webhook-entry') }, { workflow: 'saga' }));
        exits.answers.push(out.answer, out.report, out.rejected, out.misconfigured);
        exits.events.push(...out.events);
        exits.items.push(...(await activityFailure(a)));
        exits.store = await storeDump(s);
        assert.equal(out.status, planted.status, out.answer.body);
        assertNoCardData(planted.name, exits);
        // Not vacuous: the message quoted the planted value, redacted (or named it), where the processor and the logs read it.
        assert.ok(out.answer.body.includes(planted.says ?? PAN_REDACTION), out.answer.body);
        assert.equal(out.events.length, 0, 'nothing was passed on');
      } finally {
        await s.remove();
      }
    });
  }
});
