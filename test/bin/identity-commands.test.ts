import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import type { IdentityReport } from '../../nodes/core/identity/identity-report';
import { closeAllDatabases, openDatabase, resolveStoreUrl } from '../../nodes/core/store/open-database';
import { matchAndRecord, payment } from '../core/match/match-fixtures';
import { dialectStores } from '../core/match/store-dialects';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** Merge, unmerge and the identity report on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-identity-cli');

for (const store of stores) describe(`terminal-crm merge, unmerge and identity on ${store.dialect}`, () => {
  let url = '';
  /** Where messages say the store is: the file, or the URL without its password. */
  let path = '';
  // The commands close the store when they finish, as a CLI process should: open it afresh for every look.
  const db = () => openDatabase(url);
  const rows = async (id: string) => ({
    customer: { ...(await (await db()).get<{ merged_into: string | null; phone: string | null }>('SELECT merged_into, phone FROM customers WHERE id = ?', [id])) },
    keys: (await (await db()).all<{ kind: string }>('SELECT kind FROM customer_keys WHERE customer_id = ? ORDER BY kind', [id])).map((k) => k.kind),
    transactions: (await (await db()).all<{ event_id: string }>('SELECT event_id FROM transactions WHERE customer_id = ? ORDER BY event_id', [id])).map((t) => t.event_id),
    totals: (await (await db()).all<{ currency: string; payments: number; gross_minor: number }>('SELECT currency, payments, gross_minor FROM customer_totals WHERE customer_id = ?', [id])).map((t) => ({ ...t })),
  });
  let ada = '';
  let walkIn = '';
  let walkInPayment = '';

  before(async () => {
    url = (await store.open()).url;
    path = resolveStoreUrl(url).path;
    const crm = new LocalSqlCrm(await db());
    ada = (await matchAndRecord(crm, payment({ email: 'ada@example.com', name: 'Ada Lovelace', amount: 4200 }))).upsert.customerId!;
    const tap = await matchAndRecord(crm, payment({ phone: '+1 212 555 0101', amount: 1250, card: { last4: '4444', iin: '555555', fingerprint: 'fp_walk_in' } }));
    walkIn = tap.upsert.customerId!;
    walkInPayment = tap.upsert.eventId;
    assert.notEqual(ada, walkIn);
  });
  after(async () => {
    await closeAllDatabases();
  });

  it('lists the three commands in the main help', async () => {
    const { out } = await cli('--help');
    for (const name of ['merge', 'unmerge', 'identity']) assert.match(out, new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it('merge moves the walk-in customer into Ada, records who and why, and says how to undo it; unmerge restores both', async () => {
    const before = { ada: await rows(ada), walkIn: await rows(walkIn) };
    assert.deepEqual(before.walkIn.transactions, [walkInPayment]);

    const merged = await cli('merge', ada, walkIn, '--reason', 'same person, confirmed at the till', '--by', 'maria', '--store', url);
    assert.equal(merged.code, 0, merged.err);
    const mergeId = /merge (mrg_\S+), by maria\)/.exec(merged.out)?.[1];
    assert.ok(mergeId, merged.out);
    assert.equal(merged.out, `Merged ${walkIn} into ${ada} (merge ${mergeId}, by maria): 3 keys, 1 card and 1 payment moved.\nUndo: terminal-crm unmerge ${mergeId}\n`);

    const after = { ada: await rows(ada), walkIn: await rows(walkIn) };
    assert.deepEqual(after.walkIn.customer.merged_into, ada);
    assert.deepEqual(after.walkIn.transactions, []);
    assert.deepEqual(after.ada.transactions, [...before.ada.transactions, walkInPayment].sort());
    assert.deepEqual(after.ada.totals, [{ currency: 'USD', payments: 2, gross_minor: 5450 }]);
    assert.equal(after.ada.customer.phone, '+12125550101', 'Ada gains the phone number she lacked');
    const record = await (await db()).get<{ evidence: string; actor: string; undone_at: string | null }>('SELECT evidence, actor, undone_at FROM identity_merges WHERE id = ?', [mergeId]);
    assert.deepEqual({ ...record, evidence: JSON.parse(record!.evidence) }, {
      evidence: { kind: 'operator', reason: 'same person, confirmed at the till', command: 'terminal-crm merge' }, actor: 'maria', undone_at: null,
    });

    const shown = await cli('identity', ada, '--store', url);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, new RegExp(`^Customer ${ada} \\(since \\d{4}-\\d\\d-\\d\\d\\)\\n`));
    assert.match(shown.out, /^ {2}Email +ada@example\.com$/m);
    assert.match(shown.out, /^ {2}USD +2 paid +54\.50 USD +0\.00 USD refunded +\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/m);
    assert.match(shown.out, /^ {2}phone +\+12125550101$/m);
    assert.match(shown.out, /^ {2}visa +555555…4444 +12\/2029/m);
    assert.match(shown.out, new RegExp(`^  ${mergeId}  \\S+ \\S+  took in ${walkIn}, by maria\\n    evidence: \\{"kind":"operator","reason":"same person, confirmed at the till","command":"terminal-crm merge"\\}\\n    undo: terminal-crm unmerge ${mergeId}$`, 'm'));
    const gone = JSON.parse((await cli('identity', walkIn, '--json', '--store', url)).out) as IdentityReport;
    assert.deepEqual([gone.mergedInto, gone.currentId, gone.keys, gone.merges.map((m) => [m.id, m.direction])], [ada, ada, [], [[mergeId, 'absorbed-by']]]);

    const undone = await cli('unmerge', mergeId!, '--store', url);
    assert.equal(undone.code, 0, undone.err);
    assert.equal(undone.out, `Undid merge ${mergeId}: ${walkIn} is its own customer again, with what the merge took from it; ${ada} keeps the rest.\n`);
    assert.deepEqual({ ada: await rows(ada), walkIn: await rows(walkIn) }, before, "both customers' histories are as before the merge");
    const again = await cli('identity', ada, '--json', '--store', url);
    assert.ok((JSON.parse(again.out) as IdentityReport).merges[0]!.undoneAt);
    assert.doesNotMatch((await cli('identity', ada, '--store', url)).out, /undo: terminal-crm unmerge/);

    const twice = await cli('unmerge', mergeId!, '--store', url);
    assert.equal(twice.code, 1);
    assert.match(twice.err, new RegExp(`<mergeId>: merge ${mergeId} was already undone at \\S+\\. Fix: nothing to do`));
  });

  it('shows amounts in the digits the pack counts each currency in, as the payments listing does (HUF and IDR have two)', async () => {
    const crm = new LocalSqlCrm(await db());
    const huf = await matchAndRecord(crm, payment({ email: 'zsofia@example.hu', name: 'Zsófia Kovács', amount: 1_234_500, currency: 'huf' }));
    await matchAndRecord(crm, payment({ email: 'zsofia@example.hu', amount: 1_500_000, currency: 'idr' }));
    const shown = await cli('identity', huf.upsert.customerId!, '--store', url);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /^ {2}HUF +1 paid +12345\.00 HUF +0\.00 HUF refunded/m);
    assert.match(shown.out, /^ {2}IDR +1 paid +15000\.00 IDR +0\.00 IDR refunded/m);
  });

  it('reads the store from TERMINAL_CRM_STORE_URL when --store is not given, and prints JSON with --json', async () => {
    const saved = process.env.TERMINAL_CRM_STORE_URL;
    process.env.TERMINAL_CRM_STORE_URL = store.dialect === 'sqlite' ? path : url;
    try {
      const r = await cli('identity', walkIn, '--json');
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out) as IdentityReport;
      assert.deepEqual([report.customerId, report.mergedInto, report.keys.map((k) => k.kind).sort()], [walkIn, undefined, ['cardToken', 'paymentId', 'phone']]);
      assert.deepEqual(report.totals.map((t) => [t.currency, t.payments, t.grossMinor]), [['USD', 1, 1250]]);
    } finally {
      if (saved === undefined) delete process.env.TERMINAL_CRM_STORE_URL;
      else process.env.TERMINAL_CRM_STORE_URL = saved;
    }
  });

  it('names the argument and the fix when a customer or merge does not exist or cannot be merged', async () => {
    const unknown = await cli('merge', ada, 'cus_nobody', '--store', url);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, new RegExp(`<fromCustomerId>: there is no customer "cus_nobody" in the store at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Fix: check the id`));
    assert.match((await cli('merge', ada, ada, '--store', url)).err, /<fromCustomerId>: a customer cannot be merged into itself\. Fix: pick two different customers/);
    assert.match((await cli('merge', ada, '--store', url)).err, /<fromCustomerId>: is missing\. Fix: e\.g\. terminal-crm merge cus_A cus_B/);
    assert.match((await cli('unmerge', 'mrg_nope', '--store', url)).err, /<mergeId>: there is no merge "mrg_nope"\. Fix: run `terminal-crm identity <customerId>` to list a customer's merges/);
    assert.match((await cli('identity', 'cus_nobody', '--store', url)).err, /<customerId>: there is no customer "cus_nobody"/);
    const badFlag = await cli('merge', ada, walkIn, '--force', '--store', url);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.err, /--force is not an option of merge[\s\S]*Usage: terminal-crm merge/);
    assert.equal((await rows(walkIn)).customer.merged_into, null, 'nothing was merged by the failed commands');
  });
});
