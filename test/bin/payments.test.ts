import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import type { LedgerPayment } from '../../nodes/core/ledger/payment-rows';
import { recordEvents } from '../../nodes/core/ledger/record-events';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { cumulativeRefund, dispute, ownRefund, payment } from '../core/ledger/support/events';
import { dialectStores } from '../core/match/store-dialects';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['payments', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const lines = (out: string) => out.trimEnd().split('\n').map((l) => JSON.parse(l) as LedgerPayment);

/** The listing and its cursor paging on the SQLite file and on PostgreSQL, to one output. */
const stores = dialectStores('tcrm-payments-cli');

for (const where of stores) describe(`terminal-crm payments on ${where.dialect}`, { timeout: 20_000 }, () => {
  let store: string;
  before(async () => {
    const { db, url } = await where.open();
    store = url;
    await db.transaction((tx) =>
      recordEvents(tx, [
        payment('pi_usd', 4599, '2025-03-01T10:00:00.000Z', { card: { brand: 'visa', last4: '4242' } }),
        cumulativeRefund('pi_usd', 1000, '2025-03-02T10:00:00.000Z'),
        payment('pay_jpy', 1200, '2025-03-01T11:00:00.000Z', { source: 'square', eventId: 'square:e1', customerId: 'cus_bo', amount: { minor: 1200, currency: 'JPY' } }),
        payment('pay_kwd', 1250, '2025-03-01T12:00:00.000Z', { source: 'square', eventId: 'square:e2', amount: { minor: 1250, currency: 'KWD' } }),
        payment('pi_lost', 3000, '2025-03-03T09:00:00.000Z'),
        dispute('pi_lost', 'refunded', 3000, '2025-03-10T10:00:00.000Z'),
        // A refund whose payment has not arrived: listed, counted nowhere.
        ownRefund('pi_early', 're_1', 500, '2025-03-04T10:00:00.000Z'),
      ]),
    );
    await closeAllDatabases();
  });
  after(async () => {
    await closeAllDatabases();
  });

  it('prints a table with amounts by each currency\'s exponent, refunds, chargebacks and what is left', async () => {
    const { code, out, err } = await cli('--store', store);
    assert.equal(code, 0, err);
    assert.match(err, where.dialect === 'sqlite' ? /^payments: sqlite:.*store-\d+\.db$/m : /^payments: postgres:\/\/postgres@127\.0\.0\.1:\d+\/tcrm_payments_cli_\w+$/m);
    const rows = out.trimEnd().split('\n');
    assert.match(rows[0]!, /^made at +payment +customer +status +amount +refunded +charged back +net +card$/);
    assert.equal(rows.length, 6);
    assert.match(rows[1]!, /^2025-03-01T10:00:00.000Z +stripe:pi_usd +cus_ana +partially_refunded +45\.99 USD +10\.00 USD +- +35\.99 USD +visa …4242$/);
    assert.match(rows[2]!, /^2025-03-01T11:00:00.000Z +square:pay_jpy +cus_bo +succeeded +1200 JPY +- +- +1200 JPY +-$/);
    assert.match(rows[3]!, /^2025-03-01T12:00:00.000Z +square:pay_kwd +cus_ana +succeeded +1\.250 KWD +- +- +1\.250 KWD/);
    assert.match(rows[4]!, /^2025-03-03T09:00:00.000Z +stripe:pi_lost .* 30\.00 USD +- +30\.00 USD +0\.00 USD/);
    assert.match(rows[5]!, /^2025-03-04T10:00:00.000Z +stripe:pi_early +cus_ana +not seen yet +- +5\.00 USD +- +- +-$/);
    assert.doesNotMatch(err, /more:/);
  });

  it('filters by source, customer and time, one JSON payment a line', async () => {
    const bySource = await cli('--store', store, '--source', 'square', '--json');
    assert.equal(bySource.code, 0, bySource.err);
    assert.deepEqual(lines(bySource.out).map((p) => [p.key, p.grossMinor, p.currency]), [['square:pay_jpy', 1200, 'JPY'], ['square:pay_kwd', 1250, 'KWD']]);

    const byCustomer = await cli('--store', store, '--customer', 'cus_bo', '--json');
    assert.deepEqual(lines(byCustomer.out).map((p) => p.key), ['square:pay_jpy']);

    const byTime = await cli('--store', store, '--since', '2025-03-01T11:00:00Z', '--until', '2025-03-03T09:00:00Z', '--json');
    assert.deepEqual(lines(byTime.out).map((p) => p.key), ['square:pay_jpy', 'square:pay_kwd']);

    // A source the ledger never saw matches nothing, and stderr names the ones it holds (a typo shows as one).
    const typo = await cli('--store', store, '--source', 'sqaure', '--json');
    assert.deepEqual([typo.code, typo.out], [0, '']);
    assert.match(typo.err, /the ledger holds no payment from "sqaure"; its sources: square, stripe$/m);
    const quiet = await cli('--store', store, '--source', 'square', '--since', '2026-01-01T00:00:00Z');
    assert.equal(quiet.out, 'No payments match.\n');
    assert.doesNotMatch(quiet.err, /holds no payment/);

    // A customer id that is no one's now says why its listing is empty: merged into another, or not in this store.
    const db = await openDatabase(store);
    const at = '2025-03-01T00:00:00.000Z';
    await db.run('INSERT INTO customers (id, created_at, updated_at) VALUES (?, ?, ?), (?, ?, ?)', ['cus_first', at, at, 'cus_second', at, at]);
    await db.run('UPDATE customers SET merged_into = ? WHERE id = ?', ['cus_first', 'cus_second']);
    await closeAllDatabases();
    const merged = await cli('--store', store, '--customer', 'cus_second');
    assert.deepEqual([merged.code, merged.out], [0, 'No payments match.\n']);
    assert.match(merged.err, /^cus_second was merged into cus_first, which holds its payments now: terminal-crm payments --customer cus_first$/m);
    assert.match((await cli('--store', store, '--customer', 'cus_nobody', '--json')).err, /^this store has no customer cus_nobody; check the id, or --store$/m);
    assert.doesNotMatch((await cli('--store', store, '--customer', 'cus_first')).err, /merged|no customer/);

    const usd = lines((await cli('--store', store, '--source', 'stripe', '--json')).out).find((p) => p.key === 'stripe:pi_usd')!;
    assert.deepEqual([usd.grossMinor, usd.refundedMinor, usd.netMinor, usd.counted, usd.status], [4599, 1000, 3599, true, 'partially_refunded']);
  });

  it('pages with --limit and the cursor it names, without repeating or skipping a payment', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await cli('--store', store, '--limit', '2', '--json', ...(cursor ? ['--cursor', cursor] : []));
      assert.equal(r.code, 0, r.err);
      const got = lines(r.out);
      assert.ok(got.length <= 2);
      seen.push(...got.map((p) => p.key));
      cursor = /^more: .* --cursor (\S+)$/m.exec(r.err)?.[1];
      if (!cursor) break;
    }
    assert.deepEqual(seen, ['stripe:pi_usd', 'square:pay_jpy', 'square:pay_kwd', 'stripe:pi_lost', 'stripe:pi_early']);
    assert.equal(cursor, undefined);
  });

  it('refuses options it cannot use, naming the option and the fix', async () => {
    const since = await cli('--store', store, '--since', 'yesterday');
    assert.equal(since.code, 1);
    assert.match(since.err, /--since: "yesterday" is not a time\. Fix: give an ISO 8601 time/);
    // Date would read "1" as 2001 and roll a day the month does not have over into the next month
    for (const [flag, value] of [['--since', '1'], ['--since', '12/03/2025'], ['--until', '2025-03-01T09:00:00+01']]) {
      const r = await cli('--store', store, flag!, value!);
      assert.equal(r.code, 1, value);
      assert.equal(r.out, '', value);
      assert.match(r.err, new RegExp(`${flag}: "${value!.replace(/[+/]/g, '\\$&')}" is not a time\\. Fix: give an ISO 8601 time`), value);
    }
    const noSuchDay = await cli('--store', store, '--until', '2025-02-30');
    assert.equal(noSuchDay.code, 1);
    assert.match(noSuchDay.err, /--until: "2025-02-30" names a day the calendar does not have\. Fix: give a day that exists/);
    const offset = await cli('--store', store, '--since', '2025-03-01 12:00+01:00', '--until', '2025-03-03T09:00:00Z', '--json');
    assert.equal(offset.code, 0, offset.err);
    assert.deepEqual(lines(offset.out).map((p) => p.key), ['square:pay_jpy', 'square:pay_kwd'], 'noon at +01:00 is 11:00 UTC');
    // A window whose end is not after its start is two dates swapped, not a question answered "No payments match".
    for (const until of ['2025-03-01', '2025-01-01']) {
      const window = await cli('--store', store, '--since', '2025-03-01', '--until', until);
      assert.equal(window.code, 1, until);
      assert.match(window.err, /--until: \S+ is not after --since \(2025-03-01T00:00:00\.000Z\)\. Fix: give an --until later than --since/, until);
    }
    const limit = await cli('--store', store, '--limit', '5000');
    assert.equal(limit.code, 1);
    assert.match(limit.err, /--limit: "5000" is not a page size\. Fix: give a whole number from 1 to 1000/);
    const cursor = await cli('--store', store, '--cursor', 'garbage');
    assert.equal(cursor.code, 1);
    assert.match(cursor.err, /--cursor: is not a cursor this listing gave out/);
    const source = await cli('--store', store, '--source', 'Stripe!');
    assert.equal(source.code, 1);
    assert.match(source.err, /--source: "Stripe!" is not a source name/);
  });
});
