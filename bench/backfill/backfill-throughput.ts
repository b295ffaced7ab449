/**
 * Backfill end to end into HubSpot's contract mock, which enforces HubSpot's burst limit for private apps on
 * Professional/Enterprise: 190 requests per rolling 10 s, 100 records per batch call (1,900 records/s for
 * one-request batches). A Stripe history of N card-present charges (one cardholder each, so N contacts and N
 * deals) is read page by page (nock, 100 a page), tokenized, matched and written to the ledger with the outbox
 * filled, while a drainer sends the outbox to HubSpot at its rate. A new deal is created with its association to
 * the contact in the same request (hubspot-deals-create.ts), so 2,000 records take 20 requests and the ceiling is
 * reachable; before, one association request per 1,000 deals held it to 1,810 records/s.
 *
 *   node build/bench/backfill/backfill-throughput.js [--payments 10000]
 *
 * Prints one JSON line: records per second (contacts + deals in HubSpot over the whole run), the share of each
 * ceiling, lost and duplicated records, and requests answered 429. Exits 1 when a record is lost or duplicated.
 * BENCH_TRACE=1 also prints each drain run and every request HubSpot got (seconds from the first, endpoint, inputs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBackfill } from '../../nodes/core/backfill';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import { drain } from '../../nodes/core/outbox/drain';
import { migrate } from '../../nodes/core/store/migrations';
import { SqliteDatabase } from '../../nodes/core/store/sqlite-database';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { chargeObject } from '../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../../test/core/crm/saas/mocks/hubspot-mock';
import { indexLookups } from '../outbox/indexed-mock';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const LIMIT = { requests: 190, windowMs: 10_000, batch: 100 };
const CEILING = (LIMIT.requests * LIMIT.batch * 1000) / LIMIT.windowMs;
const SINCE = new Date('2026-01-01T00:00:00Z');
const UNTIL = new Date('2026-04-01T00:00:00Z');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { payments: { type: 'string' } }, strict: true });
  const n = Number(values.payments ?? 10000);
  const span = UNTIL.getTime() - SINCE.getTime();
  // Newest first, as Stripe lists them; each cardholder distinct (email, card).
  const charges = Array.from({ length: n }, (_, k) => {
    const i = n - 1 - k;
    return chargeObject({
      chargeId: `ch_bench${String(i).padStart(8, '0')}`, paymentIntentId: `pi_bench${String(i).padStart(8, '0')}`, amount: 500 + (i % 50) * 10, currency: 'usd',
      created: Math.floor((SINCE.getTime() + ((i + 0.5) * span) / n) / 1000), email: `buyer.${i}@example.com`,
      card: { fingerprint: `fp_bench_${i}`, last4: String(1000 + (i % 9000)).padStart(4, '0'), iin: '424242', expMonth: 1 + (i % 12), expYear: 2030 + (i % 5) },
    });
  });
  const index = new Map(charges.map((c, k) => [c.id, k]));

  const nock = (await import('nock')).default;
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const mock = await HubSpotMock.start({ privateAppToken: TOKEN, burst: { max: LIMIT.requests, intervalMs: LIMIT.windowMs } });
  indexLookups(mock);
  nock('https://api.stripe.com').persist().get('/v1/charges').query(true).reply((request: unknown) => {
    // nock 15 hands the reply function the fetch Request (older versions: the path).
    const q = new URL(typeof request === 'string' ? request : (request as { url: string }).url, 'https://api.stripe.com').searchParams;
    const from = q.get('starting_after') ? index.get(q.get('starting_after')!)! + 1 : 0;
    const limit = Number(q.get('limit'));
    return [200, { object: 'list', data: charges.slice(from, from + limit), has_more: from + limit < charges.length }];
  });

  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-backfill-'));
  const db = new SqliteDatabase(join(dir, 'store.db'));
  try {
    await migrate(db);
    const adapter = crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: TOKEN });
    const started = Date.now();
    let backfilled = false;
    let backfillMs = 0;
    const filling = runBackfill({
      source: 'stripe', credentials: { secretKey: 'sk_test_bench' }, store: db, keys: keyProviderFromSpec(`k1:${'ab'.repeat(32)}`), defaultRegion: 'US',
      since: SINCE, until: UNTIL, limit: 100, http: axiosTransport(),
      crm: { crm: 'hubspot', adapter: () => { throw new Error('queued only: the drainer sends'); }, waitMs: 0 },
    }).finally(() => {
      backfilled = true;
      backfillMs = Date.now() - started;
    });
    let synced = 0;
    let requests429 = 0;
    for (;;) {
      const r = await drain({ db, adapter, owner: 'bench' });
      if (process.env.BENCH_TRACE) process.stderr.write(`drain at ${Date.now() - started} ms: ${r.counts.synced} synced, ${r.waiting} waiting, ended ${r.ended}\n`);
      synced += r.counts.synced;
      requests429 += r.rateLimited;
      if (backfilled && r.waiting === 0) break;
      if (r.counts.synced === 0) await new Promise((res) => setTimeout(res, 50));
    }
    const progress = await filling;
    if (progress.listed === 0) throw new Error(`the backfill read nothing: ${JSON.stringify(progress)}`);
    const elapsedMs = Date.now() - started;

    const accepted = mock.calls.filter((c) => c.status < 300);
    const refused = mock.calls.filter((c) => c.status === 429).length;
    const contacts = new Set(mock.records('contacts').map((c) => c.properties.terminal_crm_id)).size;
    const deals = new Set(mock.records('deals').map((c) => c.properties.terminal_crm_payment_key)).size;
    // A record sent twice (a create and an upsert of one deal count as two sends), or held twice by HubSpot.
    const sent = new Map<string, number>();
    for (const c of accepted) {
      const inputs = (c.body as { inputs?: Array<{ id?: string; properties?: Record<string, string> }> } | undefined)?.inputs ?? [];
      const object = /objects\/([^/]+)\/batch\/(upsert|create)$/.exec(c.path)?.[1];
      if (!object) continue;
      for (const x of inputs) {
        const key = `${object}\u0000${x.id ?? x.properties?.terminal_crm_payment_key ?? x.properties?.terminal_crm_id ?? ''}`;
        sent.set(key, (sent.get(key) ?? 0) + 1);
      }
    }
    const heldTwice = mock.records('contacts').length - contacts + mock.records('deals').length - deals;
    const duplicated = [...sent.values()].reduce((s, k) => s + k - 1, 0) + heldTwice;
    const requestsPer2000 = (accepted.length * 2000) / Math.max(1, contacts + deals);
    const records = contacts + deals;
    const perSecond = (records * 1000) / elapsedMs;
    const result = {
      payments: n,
      backfilled: progress.recorded,
      backfillSeconds: Number((backfillMs / 1000).toFixed(2)),
      backfillEventsPerSecond: Math.round((progress.listed * 1000) / Math.max(1, backfillMs)),
      recordsInHubSpot: records,
      synced,
      lost: 2 * n - records,
      duplicated,
      elapsedSeconds: Number((elapsedMs / 1000).toFixed(2)),
      recordsPerSecond: Math.round(perSecond),
      ofCeiling1900: `${((perSecond / CEILING) * 100).toFixed(1)} %`,
      requestsPer2000Records: Number(requestsPer2000.toFixed(2)),
      requests: mock.calls.length,
      answered429: refused,
      drainerSaw429: requests429,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
      cpus: os.cpus().length,
    };
    if (process.env.BENCH_TRACE) {
      const t0 = mock.calls[0]?.at ?? 0;
      process.stderr.write(mock.calls.map((c) => `${((c.at - t0) / 1000).toFixed(2)} ${c.path.split('/').slice(-3).join('/')} ${(c.body as { inputs?: unknown[] })?.inputs?.length ?? ''}`).join('\n') + '\n');
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stderr.write(`backfill → HubSpot: ${result.recordsPerSecond} records/s (${result.ofCeiling1900} of 1,900; ${result.requestsPer2000Records} requests per 2,000 records); ${result.lost} lost, ${duplicated} duplicated, ${refused} answered 429\n`);
    if (result.lost !== 0 || duplicated !== 0) process.exitCode = 1;
  } finally {
    mock.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
