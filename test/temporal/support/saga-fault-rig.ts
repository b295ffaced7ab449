import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { openDatabase } from '../../../nodes/core/store/open-database';
import { LOCK_NAMESPACE, lockNumber } from '../../../nodes/core/store/postgres-locks';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { describeExit, spawnGroup, type GroupProcess } from '../../../sandbox/run/shared/process-group';
import { GiveUp, waitUntil } from '../../../sandbox/run/shared/wait-until';
import { startPaymentSaga } from '../../../temporal/start-payment/start-payment-saga';
import type { PaymentSagaResult } from '../../../workflows/payment-saga';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { faultScenario, inParallel, type FaultDelivery, type FaultScenario } from '../../support/fault-scenario';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { stripeRequest } from '../../support/stripe-delivery';
import { testKeys, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { startDevServer, type DevServer } from './dev-server';
import { resultWithin } from './result-within';

/**
 * What the two crash tests of the payment saga share (issue 10): a PostgreSQL store, HubSpot's contract mock behind
 * the relay, the production worker (temporal/worker.js) in a child process running sagas, and a way to stop chosen
 * sagas after their ledger write and before their CRM write, so the crash lands there every time, not by luck.
 *
 * The stop: the saga's CRM step queues the payment in the outbox in a transaction that first takes the store's
 * advisory lock on that outbox record (outbox/enqueue.ts outboxLockKeys); the test holds those locks from its own
 * session. PostgreSQL, not SQLite, because a SQLite lock would also hold back the ledger write before it.
 */

export const MOCK_PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
const WORKER_JS = join(__dirname, '..', '..', '..', 'temporal', 'worker.js');

export interface SagaRig {
  pg: PostgresServer;
  storeUrl: string;
  db: SqlDatabase;
  mock: HubSpotMock;
  relay: NockRelay;
  close(): Promise<void>;
}

export async function startSagaRig(): Promise<SagaRig> {
  const pg = await startPostgresServer();
  const storeUrl = await pg.createDatabase('tcrm_saga_crash');
  const db = await openDatabase(storeUrl);
  const mock = await HubSpotMock.start({ privateAppToken: MOCK_PAT });
  const relay = await startNockRelay({ target: mock.baseUrl });
  return {
    pg, storeUrl, db, mock, relay,
    close: async () => {
      await relay.close();
      mock.stop();
      await db.close();
      await pg.stop();
    },
  };
}

/** The production worker's environment: its default payment workflow, the saga, into HubSpot through the outbox. */
export function sagaWorkerEnv(o: { address: string; taskQueue: string; rig: SagaRig; crmSyncSchedule?: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
    TEMPORAL_ADDRESS: o.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: o.taskQueue,
    TERMINAL_CRM_STORE_URL: o.rig.storeUrl, TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS, TERMINAL_CRM_SEGMENT_CONFIG: 'off',
    TERMINAL_CRM_CRM: 'hubspot',
    HUBSPOT_ACCESS_TOKEN: MOCK_PAT, HUBSPOT_BASE_URL: o.rig.relay.url,
    // The sagas under test are started by the test; redrive would start the same sagas again from the inbox.
    TERMINAL_CRM_REDRIVE_AFTER: 'off',
    ...(o.crmSyncSchedule ? { TERMINAL_CRM_SYNC_CRMS: 'hubspot', TERMINAL_CRM_SYNC_SCHEDULE: o.crmSyncSchedule } : {}),
  };
}

export function spawnSagaWorker(env: NodeJS.ProcessEnv): GroupProcess {
  return spawnGroup('worker', process.execPath, ['--enable-source-maps', WORKER_JS], { env });
}

/** What a crash test's suite runs on: its dev server, rig and client, and production workers on its own task queue. */
export interface SagaSuite {
  readonly server: DevServer;
  readonly rig: SagaRig;
  readonly client: Client;
  readonly taskQueue: string;
  /** A production worker on the suite's task queue (sagaWorkerEnv), stopped after the suite if still running. */
  spawnWorker(o?: { crmSyncSchedule?: string }): GroupProcess;
}

/**
 * Starts a dev server and a saga rig before the enclosing suite's tests (`before`), and stops them, with every worker
 * spawnWorker started, after them (`after`). Call it inside the suite's describe.
 */
export function sagaSuite(queuePrefix: string): SagaSuite {
  let server: DevServer | undefined;
  let rig: SagaRig | undefined;
  let client: Client | undefined;
  const workers: GroupProcess[] = [];
  const taskQueue = `${queuePrefix}-${randomUUID()}`;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the saga suite is not started yet: use it inside a test');
    return value;
  };
  before(async () => {
    [server, rig] = await Promise.all([startDevServer(), startSagaRig()]);
    // The Rust connection: nock (loaded for the relay) hangs Node's http2, which grpc-js rides on.
    client = new Client({ connection: server.env.nativeConnection });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await server?.stop();
    await rig?.close();
  });
  return {
    get server() { return started(server); },
    get rig() { return started(rig); },
    get client() { return started(client); },
    taskQueue,
    spawnWorker(o = {}) {
      const worker = spawnSagaWorker(sagaWorkerEnv({ address: started(server).env.address, taskQueue, rig: started(rig), ...o }));
      workers.push(worker);
      return worker;
    },
  };
}

export const untilPolling = (p: GroupProcess) =>
  waitUntil('the worker to poll', 60_000, async () => {
    if (p.exitStatus()) throw new GiveUp(`worker ${describeExit(p.exitStatus()!)}:\n${p.tail(100)}`);
    return /polling task queue/.test(p.tail(100)) || undefined;
  }, 50);

/** The payments held mid-saga: their deliveries (sale first, then refunds) kept out of the rest of the run. */
export interface HeldPayment {
  key: string;
  sale: FaultDelivery;
  /** Refunds of it and redeliveries, in the order sent. */
  later: FaultDelivery[];
}

export interface CrashScenario {
  scenario: FaultScenario;
  /** Phases without the held payments' deliveries: run to the end before the crash. */
  before: FaultDelivery[][];
  held: HeldPayment[];
}

const paymentIndexOf = (eventId: string) => /_(?:sale|refund)_(\d+)/.exec(eventId)![1]!;

/**
 * Issue 9's seeded day of deliveries (sales, redeliveries, partial and full refunds), with `heldCount` payments of
 * different customers set aside to be crashed mid-saga. They are sales of customers who already paid (a first sale
 * held back would make two first sales of one new customer race), refunded ones first.
 */
export function crashScenario(o: { payments: number; heldCount: number; seed?: number }): CrashScenario {
  const scenario = faultScenario({ payments: o.payments, secret: TEST_WEBHOOK_SECRET, seed: o.seed });
  const all = scenario.phases.flat();
  const refunded = new Set(all.filter((d) => d.kind === 'refund').map((d) => paymentIndexOf(d.eventId)));
  const candidates = scenario.phases[1]!.filter((d) => d.kind === 'sale' && !d.duplicate);
  candidates.sort((a, b) => Number(refunded.has(paymentIndexOf(b.eventId))) - Number(refunded.has(paymentIndexOf(a.eventId))));
  const held: HeldPayment[] = [];
  const emails = new Set<string>();
  for (const d of candidates) {
    if (held.length === o.heldCount) break;
    if (emails.has(d.email)) continue;
    emails.add(d.email);
    const i = paymentIndexOf(d.eventId);
    const key = `stripe:${d.eventId.replace(/^evt_(.*)_sale_(\d+)$/, 'pi_$1_$2')}`;
    assert.ok(scenario.expected.has(key), key);
    held.push({ key, sale: d, later: all.filter((x) => x !== d && paymentIndexOf(x.eventId) === i) });
  }
  assert.equal(held.length, o.heldCount, 'enough customers with a second sale to hold');
  const heldIds = new Set(held.map((h) => paymentIndexOf(h.sale.eventId)));
  const before = scenario.phases.map((p) => p.filter((d) => !heldIds.has(paymentIndexOf(d.eventId)))).filter((p) => p.length > 0);
  return { scenario, before, held };
}

type SagaHandle = WorkflowHandle & { result(): Promise<PaymentSagaResult> };

/** The webhook entry's work: verify, keep in the inbox (which drops a redelivery), hand each new event to its saga. */
export class SagaDeliveries {
  readonly handles = new Map<string, SagaHandle>();
  /** Each event as the receiver verified it, for handing a redelivery to a saga directly. */
  readonly events = new Map<string, PaymentEvent>();
  private readonly inbox: SqlInbox;

  constructor(
    private readonly client: Client,
    db: SqlDatabase,
    private readonly taskQueue: string,
  ) {
    this.inbox = new SqlInbox(db, testKeys());
  }

  async deliver(d: FaultDelivery): Promise<SagaHandle[]> {
    const out = await receiveWebhook('stripe', stripeRequest(d), { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] }, inbox: this.inbox });
    assert.equal(out.status, 200, `${d.eventId}: ${out.rejected ?? out.misconfigured}`);
    const started: SagaHandle[] = [];
    for (const event of out.events) {
      this.events.set(event.id, event);
      started.push(await this.signal(event));
    }
    return started;
  }

  /** Hands an event to its payment's saga (signal-with-start), as a second front without an inbox would. */
  async signal(event: PaymentEvent): Promise<SagaHandle> {
    const handle = (await startPaymentSaga(this.client, event, { taskQueue: this.taskQueue })) as unknown as SagaHandle;
    this.handles.set(handle.workflowId, handle);
    return handle;
  }

  /** Each phase delivered `concurrency` at a time, each delivery's saga waited for and checked. */
  async runPhases(phases: readonly FaultDelivery[][], concurrency: number, deadlineMs = 60_000): Promise<void> {
    for (const phase of phases) {
      await inParallel(phase, concurrency, async (d) => {
        for (const h of await this.deliver(d)) assertApplied(h.workflowId, await resultWithin(h, deadlineMs));
      });
    }
  }
}

export function assertApplied(workflowId: string, result: PaymentSagaResult): void {
  assert.deepEqual(result.events.filter((e) => e.failure || e.outcome === 'compensated'), [], `${workflowId} applied its events without compensating`);
}

/** A PostgreSQL session holding the outbox locks of chosen HubSpot payments until released. */
export interface HeldOutboxWrites {
  /** How many of the store's transactions wait on an advisory lock right now. */
  waiting(): Promise<number>;
  release(): Promise<void>;
}

export async function holdOutboxWrites(storeUrl: string, paymentKeys: readonly string[]): Promise<HeldOutboxWrites> {
  const session = new PgClient({ connectionString: storeUrl });
  await session.connect();
  for (const key of paymentKeys) await session.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, lockNumber(`outbox:hubspot:payment:${key}`)]);
  let released = false;
  return {
    waiting: async () => Number((await session.query<{ n: string }>("SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0]!.n),
    release: async () => {
      if (released) return;
      released = true;
      await session.end();
    },
  };
}

const countRows = async (db: SqlDatabase, sql: string, params: string[]) => Number((await db.get<{ n: number }>(sql, params))!.n);

/**
 * Until every held sale is in the ledger and its saga waits on the held outbox lock: the moment between the
 * ledger write and the CRM write the crash is meant for.
 */
export async function untilHeldAfterLedger(db: SqlDatabase, hold: HeldOutboxWrites, held: readonly HeldPayment[], worker?: GroupProcess): Promise<void> {
  await waitUntil('the held sagas to wait on the outbox after their ledger write', 60_000, async () => {
    if (worker?.exitStatus()) throw new GiveUp(`worker ${describeExit(worker.exitStatus()!)}:\n${worker.tail(100)}`);
    for (const h of held) if ((await countRows(db, 'SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [`stripe:${h.sale.eventId}`])) !== 1) return undefined;
    return (await hold.waiting()) >= held.length || undefined;
  }, 100);
  for (const h of held) assert.equal(await countRows(db, "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'payment' AND external_id = ?", [h.key]), 0, `${h.key} is not queued for HubSpot yet`);
}

/**
 * The held payments' deliveries: each sale, then its refunds and redeliveries through the webhook entry, and the
 * sale once more straight to its saga (a redelivery a second front did not drop). Returns the held sagas.
 */
export async function deliverHeld(deliveries: SagaDeliveries, held: readonly HeldPayment[]): Promise<Map<string, SagaHandle>> {
  const sagas = new Map<string, SagaHandle>();
  for (const h of held) {
    const [saga] = await deliveries.deliver(h.sale);
    assert.ok(saga, `${h.sale.eventId} started its saga`);
    sagas.set(h.key, saga);
  }
  for (const h of held) {
    for (const d of h.later) await deliveries.deliver(d);
    await deliveries.signal(deliveries.events.get(`stripe:${h.sale.eventId}`)!);
  }
  return sagas;
}

/**
 * Every saga started in the run ended without a failure or a compensation; each held one applied its sale, its
 * refunds, and the redelivered sale once. Returns the held sagas' outcomes per event ("kind:outcome"), for the log.
 */
export async function assertAllSagasApplied(deliveries: SagaDeliveries, held: readonly HeldPayment[], heldSagas: ReadonlyMap<string, SagaHandle>, deadlineMs: number): Promise<string[]> {
  for (const h of deliveries.handles.values()) assertApplied(h.workflowId, await resultWithin(h, deadlineMs));
  const outcomes: string[] = [];
  for (const h of held) {
    const { events } = await resultWithin(heldSagas.get(h.key)!, deadlineMs);
    const refunds = new Set(h.later.filter((d) => d.kind === 'refund').map((d) => `stripe:${d.eventId}`));
    assert.deepEqual(
      events.map((e) => e.eventId),
      [`stripe:${h.sale.eventId}`, ...refunds, `stripe:${h.sale.eventId}`],
      `${h.key}: the sale, its refunds in order, then the redelivered sale`,
    );
    assert.equal(events.at(-1)!.outcome, 'duplicate-signal', `${h.key}: the redelivered sale was applied once`);
    outcomes.push(...events.map((e) => `${e.kind}:${e.outcome}`));
  }
  return outcomes;
}
