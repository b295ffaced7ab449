import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { drain } from '../../../nodes/core/outbox/drain';
import { enqueue, outboxLockKeys } from '../../../nodes/core/outbox/enqueue';
import type { OutboxItem } from '../../../nodes/core/outbox/types';
import { migrate } from '../../../nodes/core/store/migrations';
import { PostgresDatabase } from '../../../nodes/core/store/postgres-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { HubSpotMock } from '../crm/saas/mocks/hubspot-mock';
import { customer, payment, sentInputsBy, TOKEN, useNock } from './support/outbox-kit';

useNock();

let server: PostgresServer;
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await server?.stop();
});

async function instances(n: number): Promise<PostgresDatabase[]> {
  const url = await server.createDatabase('tcrm_outbox');
  const dbs = Array.from({ length: n }, () => new PostgresDatabase(url));
  await Promise.all(dbs.map((d) => migrate(d)));
  return dbs;
}

describe('outbox on Postgres, several drainers on one store', () => {
  it('three drainers at once never claim the same row: HubSpot receives every record exactly once', { timeout: 120_000 }, async (t) => {
    const dbs = await instances(3);
    try {
      // A roomy account, so the drainers race each other rather than wait on the rate limit.
      const mock = await HubSpotMock.start({ privateAppToken: TOKEN, burst: { max: 1_000_000, intervalMs: 10_000 } });
      const n = 600;
      const items: OutboxItem[] = [];
      for (let i = 1; i <= n; i++) items.push({ kind: 'customer', record: customer(i) }, { kind: 'payment', record: payment(i, i) });
      for (let i = 1; i <= n; i += 4) items.push({ kind: 'fields', record: { customerExternalId: `cus_${i}`, fields: { terminal_crm_segment: 'Champions' } } });
      for (let i = 0; i < items.length; i += 500) await dbs[0]!.transaction((tx) => enqueue(tx, 'hubspot', items.slice(i, i + 500)));

      const started = Date.now();
      const runs = await Promise.all(
        dbs.map((db, i) => drain({ db, adapter: crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_REQUESTS_PER_10S: '1000000' }), owner: `drainer-${i}`, limits: { batchSize: 50 } })),
      );
      t.diagnostic(`${items.length} rows by 3 drainers in ${Date.now() - started} ms: ${runs.map((r) => `${r.owner} ${r.batches} batches`).join(', ')}`);

      for (const path of ['/contacts/batch/upsert', '/deals/batch/create', '/contacts/batch/update']) {
        const ids = sentInputsBy(mock, path);
        const seen = new Map<string, number>();
        for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
        const twice = [...seen].filter(([, c]) => c > 1);
        assert.deepEqual(twice, [], `${path}: records sent more than once`);
        assert.equal(seen.size, path.includes('update') ? n / 4 : n, path);
        assert.ok(mock.callsTo(path).every((c) => (c.body as { inputs: unknown[] }).inputs.length <= 50), `${path}: no claim took more than the batch size`);
      }
      assert.equal(mock.records('contacts').length, n);
      assert.equal(mock.records('deals').length, n);
      assert.equal(mock.associations.size, n);
      assert.equal(runs.reduce((s, r) => s + r.counts.synced, 0), items.length);
      assert.ok(runs.every((r) => r.counts.synced > 0 && r.ended === 'drained'), 'every drainer took part');
      const states = await dbs[0]!.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state');
      assert.deepEqual(states.map((s) => ({ ...s })), [{ state: 'synced', n: items.length }]);
      mock.stop();
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });

  it('two instances queuing the same records at once keep one pending row per record', { timeout: 60_000 }, async () => {
    const dbs = await instances(2);
    try {
      const items: OutboxItem[] = Array.from({ length: 100 }, (_, i) => ({ kind: 'payment', record: payment(i, i) }));
      const refunded: OutboxItem[] = items.map((x) => ({ kind: 'payment', record: { ...(x.record as ReturnType<typeof payment>), refunded: { minor: 99, currency: 'USD' } } }));
      await Promise.all([
        ...[items, refunded].map((list, i) => (async () => {
          for (let k = 0; k < list.length; k += 10) {
            const chunk = list.slice(k, k + 10);
            await dbs[i]!.transaction((tx) => enqueue(tx, 'hubspot', chunk), { lockKeys: outboxLockKeys('hubspot', chunk) });
          }
        })()),
      ]);
      const rows = await dbs[0]!.all<{ external_id: string; n: number }>("SELECT external_id, COUNT(*) AS n FROM outbox WHERE state = 'pending' GROUP BY external_id");
      assert.equal(rows.length, 100);
      assert.ok(rows.every((r) => r.n === 1));
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });
});
