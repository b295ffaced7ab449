import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { enqueue } from '../../nodes/core/outbox/enqueue';
import type { OutboxReport } from '../../nodes/core/outbox/report';
import { raiseSagaAlert } from '../../nodes/core/outbox/saga-alert';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { tempDir } from '../support/temp-store';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['outbox', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const T = Date.parse('2025-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('terminal-crm outbox', () => {
  const dir = tempDir('tcrm-outbox-cli-');
  const store = `sqlite:${join(dir.path, 'store.db')}`;
  before(async () => {
    const db = await openDatabase(store);
    await db.transaction((tx) =>
      enqueue(tx, 'hubspot', [
        { kind: 'customer', record: { externalId: 'cus_1', profile: { email: 'ana@example.com' } } },
        { kind: 'customer', record: { externalId: 'cus_2', profile: { email: 'nope' } } },
        { kind: 'payment', record: { externalId: 'stripe:pi_1', customerExternalId: 'cus_1', source: 'stripe', paymentId: 'pi_1', amount: { minor: 100, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded', occurredAt: iso(T) } },
      ], new Date(T)),
    );
    await db.transaction((tx) => enqueue(tx, 'zoho', [{ kind: 'customer', record: { externalId: 'cus_9', profile: {} } }], new Date(T + 1)));
    // As drains would have left them: one refused, one given up on (with its alert), one waiting for a retry.
    await db.run("UPDATE outbox SET state = 'rejected', attempts = 1, last_error = 'Email address nope is invalid (field email)' WHERE external_id = 'cus_2'");
    await db.run("UPDATE outbox SET state = 'dead', attempts = 30, last_error = 'gave up after 30 attempts; last: hubspot: 502' WHERE external_id = 'stripe:pi_1'");
    await db.run("INSERT INTO outbox_alerts (id, kind, crm, outbox_id, record_kind, external_id, reason, created_at) VALUES ('a1', 'crm-dead', 'hubspot', 'x', 'payment', 'stripe:pi_1', 'gave up after 30 attempts; last: hubspot: 502', ?)", [iso(T)]);
    await db.run("UPDATE outbox SET attempts = 2, next_attempt_at = ?, last_error = 'zoho: 503 on POST /crm/v8/Contacts/upsert' WHERE external_id = 'cus_9'", [iso(T + 60_000)]);
    await db.run("INSERT INTO crm_pauses (crm, paused_until, reason, created_at) VALUES ('hubspot', '2999-01-01T00:00:00.000Z', 'hubspot: You have reached your daily limit.', ?)", [iso(T)]);
    await closeAllDatabases();
  });
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('lists what waits and what was refused or given up on, with the reasons, the pause and the alerts', async () => {
    const { code, out, err } = await cli('--store', store);
    assert.equal(code, 0, err);
    assert.match(out, /^hubspot: 1 pending · 1 rejected · 1 dead$/m);
    assert.match(out, /^ {2}paused until 2999-01-01T00:00:00.000Z: hubspot: You have reached your daily limit\.$/m);
    assert.match(out, /^zoho: 1 pending$/m);
    assert.match(out, /^rejected hubspot {4}customer cus_2 {2}\(1 attempt\)\n {4}Email address nope is invalid \(field email\)$/m);
    assert.match(out, /^dead {5}hubspot {4}payment {2}stripe:pi_1 {2}\(30 attempts\)\n {4}gave up after 30 attempts; last: hubspot: 502$/m);
    assert.match(out, /^pending {2}zoho {7}customer cus_9 {2}\(2 attempts; next 2025-03-01T12:01:00.000Z\)\n {4}zoho: 503 on POST/m);
    assert.match(out, /^Latest alerts:\n {2}2025-03-01T12:00:00.000Z hubspot payment stripe:pi_1: gave up after 30 attempts/m);
  });

  it('filters by state and CRM, and prints JSON', async () => {
    const { code, out } = await cli('--store', store, '--state', 'rejected,dead', '--crm', 'hubspot', '--json');
    assert.equal(code, 0);
    const report = JSON.parse(out) as OutboxReport;
    assert.deepEqual(report.rows.map((r) => [r.state, r.externalId, r.lastError]), [
      ['rejected', 'cus_2', 'Email address nope is invalid (field email)'],
      ['dead', 'stripe:pi_1', 'gave up after 30 attempts; last: hubspot: 502'],
    ]);
    assert.deepEqual(report.counts.map((c) => [c.crm, c.state, c.rows]), [['hubspot', 'dead', 1], ['hubspot', 'pending', 1], ['hubspot', 'rejected', 1]]);
    assert.equal(report.pauses[0]?.crm, 'hubspot');
  });

  it("lists a payment saga's alert when nothing is queued: with the local CRM the saga leaves no outbox row", async () => {
    const local = `sqlite:${join(dir.path, 'local.db')}`;
    const db = await openDatabase(local);
    await raiseSagaAlert(db, { crm: 'local', runId: 'payment-stripe:pi_7', paymentKey: 'stripe:pi_7', reason: 'tokenKeys: is empty. Fix: set the store token keys', at: new Date(T) });
    await closeAllDatabases();
    const { code, out, err } = await cli('--store', local);
    assert.equal(code, 0, err);
    assert.match(out, /^The outbox is empty\.$/m);
    assert.match(out, /^Latest alerts:\n {2}2025-03-01T12:00:00.000Z local payment stripe:pi_7: tokenKeys: is empty. Fix: set the store token keys$/m);
  });

  it('refuses a state or CRM it does not know, naming the option and the choices', async () => {
    const bad = await cli('--store', store, '--state', 'stuck');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--state: "stuck" is not an outbox state\. Fix: use pending, inflight, synced, rejected, dead/);
    const crm = await cli('--store', store, '--crm', 'freshsales');
    assert.equal(crm.code, 1);
    assert.match(crm.err, /--crm: "freshsales" is not a CRM the pack has an adapter for/);
  });
});
