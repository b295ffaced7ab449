import { join } from 'node:path';
import { after, afterEach, beforeEach } from 'node:test';
import type { CrmAdapter, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { crmAdapterFromEnv } from '../../../../nodes/core/crm/saas/crm-factory';
import { drain, type DrainOptions, type DrainResult } from '../../../../nodes/core/outbox/drain';
import { enqueue } from '../../../../nodes/core/outbox/enqueue';
import type { OutboxItem } from '../../../../nodes/core/outbox/types';
import type { SaasCrmTarget } from '../../../../nodes/core/steps/upsert-to-crm';
import { migrate } from '../../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import { PostgresDatabase } from '../../../../nodes/core/store/postgres-database';
import { SqliteDatabase } from '../../../../nodes/core/store/sqlite-database';
import { startPostgresServer, type PostgresServer } from '../../../support/postgres-server';
import { tempDir } from '../../../support/temp-store';
import { customer, fakeClock, TOKEN } from '../../crm/saas/hubspot-kit';
import { HubSpotMock, type HubSpotMockOptions } from '../../crm/saas/mocks/hubspot-mock';

export { customer, payment, T0, TOKEN, useNock } from '../../crm/saas/hubspot-kit';

/** A fresh SQLite store file with every migration. */
export async function sqliteStore(): Promise<{ db: SqlDatabase; remove(): Promise<void> }> {
  const dir = tempDir('tcrm-outbox-');
  const db = new SqliteDatabase(join(dir.path, 'store.db'));
  await migrate(db);
  return {
    db,
    remove: async () => {
      await db.close();
      dir.remove();
    },
  };
}

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/**
 * Stores of either dialect for one test file: SQLite files, or databases on one real PostgreSQL server started
 * at first use and stopped when the file's tests are done.
 */
export function useStores(): (dialect: Dialect) => Promise<{ db: SqlDatabase; remove(): Promise<void> }> {
  let server: Promise<PostgresServer> | undefined;
  after(async () => {
    if (server) await (await server).stop();
  });
  return async (dialect) => {
    if (dialect === 'sqlite') return sqliteStore();
    server ??= startPostgresServer();
    const db = new PostgresDatabase(await (await server).createDatabase('tcrm_outbox'));
    await migrate(db);
    return { db, remove: () => db.close() };
  };
}

/**
 * A fresh store of `dialect` for each test of the describe this is called in, removed after the test; `use` gets its
 * database before the test runs, so the tests keep `db` as a plain variable.
 */
export function storeForEachTest(openStore: ReturnType<typeof useStores>, dialect: Dialect, use: (db: SqlDatabase) => void): void {
  let store: Awaited<ReturnType<ReturnType<typeof useStores>>> | undefined;
  beforeEach(async () => {
    store = await openStore(dialect);
    use(store.db);
  });
  afterEach(() => store?.remove());
}

export type FakeClock = ReturnType<typeof fakeClock>;

/**
 * The HubSpot contract mock and the adapter as the CLI builds it (from HUBSPOT_* variables, every request paced),
 * on one fake clock: the mock's rate windows, the limiter and the drain's sleeps all read it, and sleeping moves it.
 */
export async function hubspotOutbox(o: { mock?: HubSpotMockOptions; env?: Record<string, string>; clock?: FakeClock } = {}) {
  const clock = o.clock ?? fakeClock();
  const mock = await HubSpotMock.start({ privateAppToken: TOKEN, now: clock.now, ...o.mock });
  const adapter = crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: TOKEN, ...o.env }, { clock });
  return { mock, adapter, clock };
}

/** CRM Upsert's target for that HubSpot: the flush waits up to `waitMs` on the mock's clock, one batch at a time. */
export function hubspotTarget(h: Awaited<ReturnType<typeof hubspotOutbox>>, waitMs = 5_000): SaasCrmTarget {
  return {
    crm: 'hubspot',
    adapter: () => h.adapter,
    waitMs,
    drain: { now: h.clock.now, sleep: h.clock.sleep, owner: 'crm-upsert-test', random: () => 0.5, concurrency: 1 },
  };
}

export function drainWith(db: SqlDatabase, adapter: CrmAdapter, clock: FakeClock, more: Partial<DrainOptions> = {}): Promise<DrainResult> {
  // One batch at a time unless a test asks for more: the order of requests is then the order of batches.
  return drain({ db, adapter, now: clock.now, sleep: clock.sleep, owner: 'test-drainer', random: () => 0.5, concurrency: 1, ...more });
}

export async function queue(db: SqlDatabase, crm: string, items: readonly OutboxItem[], at?: number): Promise<string[]> {
  return (await db.transaction((tx) => enqueue(tx, crm, items, at === undefined ? undefined : new Date(at)))).map((q) => q.id);
}

export const customers = (...ns: number[]): OutboxItem[] => ns.map((n) => ({ kind: 'customer', record: customer(n) }));
export const payments = (...ps: CrmPayment[]): OutboxItem[] => ps.map((record) => ({ kind: 'payment', record }));

export interface StoredRow {
  id: string;
  kind: string;
  external_id: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  claimed_by: string | null;
  crm_id: string | null;
  payload: string;
}

export async function outboxRows(db: SqlDatabase, where = '1 = 1', params: (string | number)[] = []): Promise<StoredRow[]> {
  const rows = await db.all<StoredRow>(`SELECT id, kind, external_id, state, attempts, next_attempt_at, last_error, claimed_by, crm_id, payload FROM outbox WHERE ${where} ORDER BY created_at, external_id`, params);
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

/** Drains until nothing waits, moving the clock to each next retry: what a scheduler running drains would do. */
export async function drainUntilEmpty(db: SqlDatabase, adapter: CrmAdapter, clock: FakeClock, more: Partial<DrainOptions> = {}, maxRuns = 500): Promise<DrainResult[]> {
  const runs: DrainResult[] = [];
  for (let i = 0; i < maxRuns; i++) {
    const r = await drainWith(db, adapter, clock, more);
    runs.push(r);
    if (r.waiting === 0) {
      const inflight = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'inflight'");
      if (Number(inflight?.n ?? 0) === 0) return runs;
    }
    const next = r.nextAttemptAt ? Date.parse(r.nextAttemptAt) : clock.now() + 1_000;
    clock.advance(Math.max(1, next - clock.now()));
  }
  throw new Error(`the outbox did not empty in ${maxRuns} drain runs`);
}

/** The id of every input HubSpot received on calls to a path, one entry per input as sent (repeats included). */
export function sentInputsBy(mock: HubSpotMock, pathPart: string): string[] {
  // A create names its record by the unique property it sets, an upsert or update by its id.
  type Input = { id?: string; properties?: Record<string, string> };
  const idOf = (x: Input) => x.id ?? x.properties?.terminal_crm_payment_key ?? x.properties?.terminal_crm_id ?? '';
  return mock.callsTo(pathPart).filter((c) => c.status < 300).flatMap((c) => ((c.body as { inputs?: Input[] }).inputs ?? []).map(idOf));
}
