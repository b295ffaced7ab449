import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { nock, serveStripeCharges, serveStripeList, serveStripeRefunds, STRIPE_KEY, stripeCharges, UNTIL } from '../core/backfill/history-mocks';
import { tempDir, TEST_TOKEN_KEYS } from '../support/temp-store';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import { chargeObject } from '../../sandbox/simulator/stripe-terminal-events';
import { matchAndRecord, payment } from '../core/match/match-fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const WINDOW = ['--from', 'stripe', '--since', '2026-01-01', '--until', '2026-02-01', '--limit', '2'];

describe('terminal-crm backfill and reconcile (in process)', { timeout: 30_000 }, () => {
  const saved = { ...process.env };
  let dir: ReturnType<typeof tempDir>;
  let store: string;
  before(() => {
    process.env.STRIPE_SECRET_KEY = STRIPE_KEY;
    process.env.TERMINAL_CRM_TOKEN_KEYS = TEST_TOKEN_KEYS;
    process.env.TERMINAL_CRM_DEFAULT_REGION = 'GB';
    delete process.env.TEMPORAL_ADDRESS;
  });
  after(() => {
    process.env = saved;
    nock.restore();
  });
  beforeEach(() => {
    nock.disableNetConnect();
    dir = tempDir('tcrm-backfill-cli-');
    store = `sqlite:${join(dir.path, 'store.db')}`;
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await closeAllDatabases();
    dir.remove();
  });

  it('brings the window in with progress on stderr; stopped by a processor error, the next run resumes from the stored page', async () => {
    const charges = stripeCharges();
    // Page 1, then Stripe fails on page 2.
    nock('https://api.stripe.com').get('/v1/charges').query((q) => !q.starting_after).reply(200, { object: 'list', data: charges.slice(0, 2), has_more: true });
    nock('https://api.stripe.com').get('/v1/charges').query((q) => q.starting_after === charges[1]!.id).reply(503, { error: { message: 'overloaded' } });
    const failed = await cli('backfill', ...WINDOW, '--store', store);
    assert.equal(failed.code, 1);
    assert.match(failed.err, /Stripe answered 503 to GET \/v1\/charges/);
    assert.match(failed.err, /stripe \[#*\.*\]\s+\d+%\s+2 records/);

    // The second run starts at page 2: page 1 is not served again, and would fail the run if asked for.
    const api = nock('https://api.stripe.com').get('/v1/charges').query((q) => q.starting_after === charges[1]!.id).reply(200, { object: 'list', data: charges.slice(2, 4), has_more: true })
      .get('/v1/charges').query((q) => q.starting_after === charges[3]!.id).reply(200, { object: 'list', data: charges.slice(4), has_more: false });
    // Charge 3, partly refunded, has its refunds read.
    const refunds = serveStripeRefunds(charges[2]!);
    const resumed = await cli('backfill', ...WINDOW, '--store', store, '--json');
    assert.equal(resumed.code, 0, resumed.err);
    assert.ok(api.isDone() && refunds.isDone());
    const result = JSON.parse(resumed.out) as { done: boolean; pages: number; listed: number; recorded: number; fraction: number };
    assert.deepEqual([result.done, result.pages, result.listed, result.recorded, result.fraction], [true, 3, 6, 6, 1]);
    assert.match(resumed.err, /stripe \[#{24}\] 100%\s+6 records\s+[\d.]+\/s\s+done/);

    const db = await openDatabase(store);
    const counted = await db.all<{ n: number }>("SELECT SUM(payments) AS n FROM ledger_events WHERE source = 'stripe' GROUP BY payment_id");
    assert.deepEqual(counted.map((r) => Number(r.n)), [1, 1, 1, 1, 1]);
  });

  it('reconcile reports a lost payment (exit 2), --repair brings it back (exit 0)', async () => {
    serveStripeCharges();
    assert.equal((await cli('backfill', ...WINDOW, '--store', store)).code, 0);
    let db = await openDatabase(store);
    for (const table of ['ledger_events', 'ledger_payments', 'transactions']) await db.run(`DELETE FROM ${table} WHERE payment_id = 'pi_3Backfill2AAAAAAAAAAAAAA'`);

    serveStripeCharges();
    const found = await cli('reconcile', ...WINDOW, '--store', store);
    assert.equal(found.code, 2, found.err);
    assert.match(found.out, /processor 5 payments, ledger 4/);
    assert.match(found.out, /missing {5}stripe:pi_3Backfill2AAAAAAAAAAAAAA from the ledger \(processor: 2000 EUR, succeeded, 2026-01-10T12:00:00.000Z\)/);
    assert.match(found.out, /Run again with --repair/);

    serveStripeCharges();
    const repaired = await cli('reconcile', ...WINDOW, '--store', store, '--repair', '--json');
    assert.equal(repaired.code, 0, repaired.err);
    const report = JSON.parse(repaired.out) as { repair: { backfilled: string[]; unfixable: unknown[] } };
    assert.deepEqual(report.repair.backfilled, ['stripe:pi_3Backfill2AAAAAAAAAAAAAA']);
    assert.deepEqual(report.repair.unfixable, []);
    // The command closed the store it opened (the same connection): open it again.
    db = await openDatabase(store);
    const row = await db.get<{ gross_minor: number }>("SELECT gross_minor FROM ledger_payments WHERE payment_id = 'pi_3Backfill2AAAAAAAAAAAAAA'");
    assert.equal(Number(row?.gross_minor), 2000);
  });

  it('--offline-grace HOURS: backfill and reconcile read Stripe that many hours past --until instead of 72, and a sale stored offline that long before its forwarding counts where it was forwarded', async () => {
    const secs = (d: Date) => Math.floor(d.getTime() / 1000);
    // Stored 30 hours before Stripe created its charge, just after the window: within 72 hours, not within 24.
    const offline = stripeCharges()[0]!;
    const forwarded = { ...offline, created: secs(UNTIL) + 3600, payment_method_details: { ...offline.payment_method_details!, card_present: { ...offline.payment_method_details!.card_present!, offline: { stored_at: secs(UNTIL) + 3600 - 30 * 3600, type: 'deferred' as const } } } };
    const asked: Record<string, string>[] = [];
    serveStripeList([forwarded], asked);
    const backfilled = await cli('backfill', ...WINDOW, '--offline-grace', '24', '--store', store, '--json');
    assert.equal(backfilled.code, 0, backfilled.err);
    assert.equal((JSON.parse(backfilled.out) as { listed: number }).listed, 0, 'a 24-hour grace leaves it to the window it was forwarded in');
    const reconciled = await cli('reconcile', ...WINDOW, '--offline-grace', '24', '--store', store, '--json');
    assert.equal(reconciled.code, 0, reconciled.err);
    const withDefault = await cli('reconcile', ...WINDOW, '--store', store, '--json');
    assert.equal(withDefault.code, 2, 'with Stripe\'s 72 hours it is January\'s, which the ledger lacks');
    assert.deepEqual(asked.map((q) => Number(q['created[lt]']) - secs(UNTIL)), [24 * 3600, 24 * 3600, 72 * 3600]);
  });

  it('names the missing or wrong option and the fix', async () => {
    assert.match((await cli('reconcile', ...WINDOW, '--offline-grace', '2.5', '--store', store)).err, /^--offline-grace: "2\.5" is not a whole number of hours from 1 to 720\. Fix: leave it empty for the source's own \(Stripe Terminal 72 h, Square 24 h\), or give one such as 48$/m);
    assert.match((await cli('backfill', '--from', 'sumup', '--since', '2026-01-01', '--offline-grace', '24', '--store', store)).err, /^--offline-grace: SumUp's history is listed by when each payment was made, and takes no offline grace/m);
    assert.match((await cli('backfill', '--from', 'stripe', '--store', store)).err, /--since: is missing\. Fix: give the first day/);
    assert.match((await cli('backfill', '--from', 'stripe', '--since', 'yesterday', '--store', store)).err, /--since: "yesterday" is not a date/);
    // Date would read these as 2001-01-01 and 2 March: a backfill of another window.
    assert.match((await cli('backfill', '--from', 'stripe', '--since', '1', '--store', store)).err, /--since: "1" is not a date/);
    assert.match((await cli('reconcile', '--from', 'stripe', '--since', '2026-02-30', '--store', store)).err, /--since: "2026-02-30" names a day the calendar does not have/);
    assert.match((await cli('backfill', '--from', 'stripe', '--since', '2026-01-01', '--signal', 'pause', '--store', store)).err, /--signal: only controls a backfill running on Temporal/);
    assert.match((await cli('reconcile', '--from', 'adyen', '--since', '2026-01-01', '--store', store)).err, /--from: "adyen" has no payment history/);
  });

  it('backfill and reconcile --repair match with TERMINAL_CRM_MATCH_LINK_THRESHOLD and …_REVIEW_THRESHOLD, as the worker does', async () => {
    // One Ada in the store; a sale naming only "Ada Lovelace" scores about 0.18 against her: a customer of its own at
    // the default thresholds (0.9, 0.5), Ada's at 0.1 and 0.05.
    const db = await openDatabase(store);
    const ada = (await matchAndRecord(new LocalSqlCrm(db), payment({ email: 'ada@example.com', name: 'Ada Lovelace', postalCode: '94612', amount: 4200 }))).upsert.customerId!;
    const sale = (n: number) => chargeObject({ amount: 2500, currency: 'eur', name: 'Ada Lovelace', email: null, chargeId: `ch_3NameOnly${n}`, paymentIntentId: `pi_3NameOnly${n}`, created: Math.floor(Date.parse(`2026-01-1${n}T12:00:00Z`) / 1000) });
    const customerOf = async (paymentId: string) => (await (await openDatabase(store)).get<{ customer_id: string }>('SELECT customer_id FROM ledger_payments WHERE payment_id = ?', [paymentId]))?.customer_id;
    process.env.TERMINAL_CRM_MATCH_LINK_THRESHOLD = '0.1';
    process.env.TERMINAL_CRM_MATCH_REVIEW_THRESHOLD = '0.05';
    try {
      serveStripeList([sale(1)]);
      const backfilled = await cli('backfill', ...WINDOW, '--store', store, '--json');
      assert.equal(backfilled.code, 0, backfilled.err);
      assert.equal(await customerOf('pi_3NameOnly1'), ada);

      nock.cleanAll();
      serveStripeList([sale(1), sale(2)]);
      const repaired = await cli('reconcile', ...WINDOW, '--store', store, '--repair', '--json');
      assert.equal(repaired.code, 0, repaired.err);
      assert.equal(await customerOf('pi_3NameOnly2'), ada);
    } finally {
      delete process.env.TERMINAL_CRM_MATCH_LINK_THRESHOLD;
      delete process.env.TERMINAL_CRM_MATCH_REVIEW_THRESHOLD;
    }
  });

  it('a source variable missing is named as the variable, with no store made for it', async () => {
    delete process.env.STRIPE_SECRET_KEY;
    try {
      for (const command of ['backfill', 'reconcile']) {
        const r = await cli(command, '--from', 'stripe', '--since', '2026-01-01', '--store', store);
        assert.equal(r.code, 1, command);
        assert.match(r.err, /^STRIPE_SECRET_KEY: polling Stripe needs a secret API key\. Fix: set STRIPE_SECRET_KEY in the environment terminal-crm runs in$/m, command);
        assert.ok(!existsSync(store.slice('sqlite:'.length)), `${command} made a store for a run it refused`);
      }
    } finally {
      process.env.STRIPE_SECRET_KEY = STRIPE_KEY;
    }
    // Zettle takes an API key with its client id, or an access token: its poll schema asks for them, before the store
    // is opened, in the words its first page would have used.
    for (const command of ['backfill', 'reconcile']) {
      const r = await cli(command, '--from', 'zettle', '--since', '2026-01-01', '--store', store);
      assert.equal(r.code, 1, command);
      assert.match(r.err, /^ZETTLE_API_KEY and ZETTLE_CLIENT_ID: polling Zettle needs an API key \(or an access token\)\. Fix: .*; set ZETTLE_API_KEY and ZETTLE_CLIENT_ID in the environment terminal-crm runs in$/m, command);
      assert.ok(!existsSync(store.slice('sqlite:'.length)), `${command} made a store for a run it refused`);
    }
  });

  it('names --temporal and --signal, as typed, and checks the signal before connecting', async () => {
    const signal = await cli('backfill', '--from', 'stripe', '--since', '2026-01-01', '--temporal', '127.0.0.1:1', '--signal', 'stop');
    assert.equal(signal.code, 1);
    assert.match(signal.err, /^--signal: "stop" is not a backfill signal\. Fix: use pause, resume or cancel$/m);
    const scheme = await cli('backfill', '--from', 'stripe', '--since', '2026-01-01', '--temporal', 'http://127.0.0.1:7233');
    assert.equal(scheme.code, 1);
    assert.match(scheme.err, /^--temporal: "http:\/\/127\.0\.0\.1:7233" is not host:port\. Fix: write host:port/m);
  });

  it('refuses an --until not after --since by name before reading or printing anything', async () => {
    for (const command of ['backfill', 'reconcile']) {
      const r = await cli(command, '--from', 'stripe', '--since', '2026-03-01', '--until', '2026-01-01', '--store', store);
      assert.equal(r.code, 1, command);
      assert.match(r.err, /^--until: 2026-01-01T00:00:00\.000Z is not after --since \(2026-03-01T00:00:00\.000Z\)\. Fix: give an --until later than --since/m, command);
      assert.doesNotMatch(r.err, /Stripe \(charges\)/, `${command} printed its banner first`);
    }
  });
});
