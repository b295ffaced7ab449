import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempDir, TEST_TOKEN_KEYS, testKeys } from '../support/temp-store';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['redrive', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('terminal-crm redrive', () => {
  const dir = tempDir('tcrm-redrive-cli-');
  const store = `sqlite:${join(dir.path, 'store.db')}`;
  const old = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 2100, email: 'old@example.com', card: { fingerprint: 'fp_cli_old' } })));
  const fresh = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'fresh@example.com', card: { fingerprint: 'fp_cli_fresh' } })));
  const saved = process.env.TERMINAL_CRM_TOKEN_KEYS;
  before(async () => {
    process.env.TERMINAL_CRM_TOKEN_KEYS = TEST_TOKEN_KEYS;
    const inbox = new SqlInbox(await openDatabase(store), testKeys());
    await inbox.accept([old], new Date(Date.now() - 10 * 60_000));
    await inbox.accept([fresh], new Date());
    await closeAllDatabases();
  });
  after(async () => {
    if (saved === undefined) delete process.env.TERMINAL_CRM_TOKEN_KEYS;
    else process.env.TERMINAL_CRM_TOKEN_KEYS = saved;
    await closeAllDatabases();
    dir.remove();
  });

  it('records what waited longer than --older-than, once, and says what still waits', async () => {
    const first = await cli('--store', store);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`^redriven ${old.id} → recorded \\(cus_`, 'm'));
    assert.match(first.out, /^1 redriven, 0 failed; 1 event waits in the inbox\.$/m);
    const second = await cli('--store', store, '--older-than', '0', '--json');
    assert.equal(second.code, 0, second.err);
    const report = JSON.parse(second.out) as { redriven: { eventId: string; result: { outcome: string } }[]; waiting: number };
    assert.deepEqual(report.redriven.map((r) => [r.eventId, r.result.outcome]), [[fresh.id, 'recorded']]);
    assert.equal(report.waiting, 0);
    const db = await openDatabase(store);
    const rows = await db.all<{ event_id: string }>('SELECT event_id FROM transactions ORDER BY event_id');
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [old.id, fresh.id].sort());
  });

  it('runs while a setting it does not use is wrong (the segment, loyalty and review settings), and refuses a wrong one it uses', async () => {
    const wrong = { TERMINAL_CRM_SEGMENT_CONFIG: '{"flags": ', TERMINAL_CRM_LOYALTY_PROGRAM: '{"points": 1}', TERMINAL_CRM_REVIEW_WAIT: 'a while' };
    const before = Object.fromEntries(Object.keys(wrong).map((k) => [k, process.env[k]]));
    Object.assign(process.env, wrong);
    try {
      const r = await cli('--store', store, '--older-than', '0');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^0 redriven, 0 failed/m);
      process.env.TERMINAL_CRM_MATCH_LINK_THRESHOLD = '1.5';
      const used = await cli('--store', store);
      assert.equal(used.code, 1);
      assert.match(used.err, /TERMINAL_CRM_MATCH_LINK_THRESHOLD: "1\.5" is not a number from 0 to 1/);
    } finally {
      delete process.env.TERMINAL_CRM_MATCH_LINK_THRESHOLD;
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  /** A store of its own with one payment accepted 10 minutes ago and nothing sent to any CRM yet. */
  let stores = 0;
  const storeWithOnePayment = async () => {
    const url = `sqlite:${join(dir.path, `crm-${++stores}.db`)}`;
    const e = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1500, email: `crm${stores}@example.com`, card: { fingerprint: `fp_cli_crm${stores}` } })));
    await new SqlInbox(await openDatabase(url), testKeys()).accept([e], new Date(Date.now() - 10 * 60_000));
    const queued = async () => {
      const rows = await (await openDatabase(url)).all<{ crm: string; kind: string; external_id: string }>('SELECT crm, kind, external_id FROM outbox ORDER BY crm, kind');
      return rows.map((r) => `${r.crm} ${r.kind} ${r.kind === 'payment' ? r.external_id : 'cus'}`);
    };
    return { url, paymentKey: `stripe:${e.paymentId}`, queued };
  };
  const withWorkerCrm = async <T>(value: string | undefined, run: () => Promise<T>): Promise<T> => {
    const saved = process.env.TERMINAL_CRM_CRM;
    if (value === undefined) delete process.env.TERMINAL_CRM_CRM;
    else process.env.TERMINAL_CRM_CRM = value;
    try {
      return await run();
    } finally {
      if (saved === undefined) delete process.env.TERMINAL_CRM_CRM;
      else process.env.TERMINAL_CRM_CRM = saved;
    }
  };

  it('queues each payment and its customer for the CRMs --crm names (repeated or comma-separated) though the store has sent nothing there', async () => {
    const s = await storeWithOnePayment();
    // --crm wins over the worker's TERMINAL_CRM_CRM: salesforce is not queued.
    const r = await withWorkerCrm('salesforce', () => cli('--store', s.url, '--crm', 'hubspot', '--crm', ' Zoho ,pipedrive,hubspot'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /also queuing for hubspot, zoho, pipedrive/);
    assert.deepEqual(await s.queued(), ['hubspot customer cus', `hubspot payment ${s.paymentKey}`, 'pipedrive customer cus', `pipedrive payment ${s.paymentKey}`, 'zoho customer cus', `zoho payment ${s.paymentKey}`]);
  });

  it("queues for the worker's TERMINAL_CRM_CRM without --crm; local or unset queues nothing, as before", async () => {
    const hubspot = await storeWithOnePayment();
    const r = await withWorkerCrm('HubSpot', () => cli('--store', hubspot.url));
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await hubspot.queued(), ['hubspot customer cus', `hubspot payment ${hubspot.paymentKey}`]);
    for (const value of ['local', undefined]) {
      const none = await storeWithOnePayment();
      const n = await withWorkerCrm(value, () => cli('--store', none.url));
      assert.equal(n.code, 0, n.err);
      assert.match(n.out, /^1 redriven, 0 failed/m);
      assert.deepEqual(await none.queued(), [], String(value));
    }
  });

  it('refuses a --crm or TERMINAL_CRM_CRM it has no adapter for, by name, before it records anything', async () => {
    const s = await storeWithOnePayment();
    const wrong = await cli('--store', s.url, '--crm', 'hubspot,hubspt');
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /--crm: "hubspt" is not a CRM the pack has an adapter for\. Fix: choose one of: hubspot, salesforce/);
    const blank = await cli('--store', s.url, '--crm', ' ');
    assert.equal(blank.code, 1);
    assert.match(blank.err, /--crm: no CRM is chosen\. Fix: choose one of: hubspot/);
    const env = await withWorkerCrm('hubspt', () => cli('--store', s.url));
    assert.equal(env.code, 1);
    assert.match(env.err, /TERMINAL_CRM_CRM: "hubspt" is not a CRM the pack knows\. Fix: choose one of: local, hubspot/);
    const recorded = await (await openDatabase(s.url)).all('SELECT event_id FROM transactions');
    assert.deepEqual(recorded, []);
  });

  it('refuses a grace period it cannot read, naming the option and the fix', async () => {
    const r = await cli('--store', store, '--older-than', 'soon');
    assert.equal(r.code, 1);
    assert.match(r.err, /--older-than: "soon" is not a duration.*5m/);
    // The fix offers nothing the run refuses: no "off".
    for (const typed of ['soon', '5']) assert.doesNotMatch((await cli('--store', store, '--older-than', typed)).err, /\boff\b/, typed);
    // "off" would make a run that redrives nothing while it looks done: refused, not read as the default 5m.
    const off = await cli('--store', store, '--older-than', 'off');
    assert.equal(off.code, 1);
    assert.match(off.err, /--older-than: "off" turns redriving off, but this run redrives/);
  });

  it('refuses a --limit that is no whole number of payments from 1, as the n8n and Node-RED faces do', async () => {
    for (const limit of ['0', '-5', '2.5', 'all']) {
      const r = await cli('--store', store, `--limit=${limit}`);
      assert.equal(r.code, 1, limit);
      assert.match(r.err, new RegExp(`--limit: "${limit.replace('.', '\\.')}" is not a whole number of payments from 1 up\\. Fix: `), limit);
    }
  });
});
