import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import type { LinkPair } from '../../nodes/core/match/link-decisions';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { tempDir } from '../support/temp-store';

async function link(...args: string[]): Promise<{ code: number; pairs: LinkPair[]; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['link', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, pairs: out.trim() ? out.trim().split('\n').map((l) => JSON.parse(l) as LinkPair) : [], err };
}

const GIVEN = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'Lucas', 'Mia', 'Mason', 'Amelia', 'Ethan'];
const FAMILY = ['Garcia', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski'];

/** Seventy-two different people, as a CRM would export them. */
function people() {
  return GIVEN.flatMap((g, i) => FAMILY.map((f, j) => ({
    id: `crm-${i}-${j}`, first_name: g, last_name: f, email: `${g}.${f}${i}${j}@example.com`.toLowerCase(),
    phone: `+1 415 555 ${String(1000 + i * 10 + j)}`, zip: String(94000 + i * 7 + j), dob: `19${60 + i}-0${1 + (j % 9)}-1${j}`, street: `${100 + i * 6 + j} Pine St`,
  })));
}

const csvLine = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');

describe('terminal-crm link', () => {
  const dir = tempDir('tcrm-link-');
  const crmCsv = join(dir.path, 'crm-export.csv');
  const posCsv = join(dir.path, 'old-pos.csv');
  const posJsonl = join(dir.path, 'old-pos.jsonl');
  const crm = people();
  const header = ['id', 'first_name', 'last_name', 'email', 'phone', 'zip', 'dob', 'street'] as const;

  before(() => {
    const rows = crm.map((p) => header.map((h) => p[h]));
    // planted duplicates: a nickname with another email domain, and a typo'd email with the name order swapped
    rows.push(['dup-a', 'Liz', 'Garcia', 'olivia.garcia00@gmail.com', '(415) 555-1000', '94000', '1960-01-10', '100 Pine Street']);
    rows[0] = ['crm-0-0', 'Elizabeth', 'Garcia', 'olivia.garcia00@example.com', '+1 415 555 1000', '94000', '1960-01-10', '100 Pine St'];
    rows.push(['dup-b', 'Nguyen', 'Liam', 'liam.nguyen11@exmaple.com', '', '94008', '', '']);
    // a household: same surname, street, postal code and landline, different people
    rows.push(['house-1', 'Sophia', 'Rossi', 'sophia.r@example.net', '+1 415 555 1064', '94046', '1990-05-05', '164 Pine St']);
    rows.push(['house-2', 'Marco', 'Rossi', 'marco.r@example.net', '+1 415 555 1064', '94046', '1988-02-02', '164 Pine St']);
    writeFileSync(crmCsv, `${header.join(',')}\n${rows.map(csvLine).join('\n')}\n`);
    // the old POS export: other column names, some customers typed a little differently
    const pos = [
      { pos_id: 'pos-1', fname: 'Mia', lname: 'Schmidt', mail: 'MIA.SCHMIDT83@EXAMPLE.COM', postcode: '94059', birth: '04/13/1968' },
      { pos_id: 'pos-2', fname: 'Ethn', lname: 'Kowalski', mail: '', postcode: '94082', birth: '1971-06-15' },
      { pos_id: 'pos-3', fname: 'Zed', lname: 'Unknown', mail: 'zed@example.org', postcode: '10001', birth: '' },
    ];
    writeFileSync(posCsv, `pos_id,fname,lname,mail,postcode,birth\n${pos.map((p) => csvLine(Object.values(p))).join('\n')}\n`);
    writeFileSync(posJsonl, pos.map((p) => JSON.stringify(p)).join('\n'));
  });
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('deduplicates one file: finds the nickname and the typo\'d, swapped record, and keeps a household apart', async () => {
    const r = await link(crmCsv, '--id', 'id', '--columns', 'givenName=first_name,familyName=last_name,postalCode=zip,dateOfBirth=dob');
    assert.equal(r.code, 0, r.err);
    const key = (p: LinkPair) => [p.left, p.right].sort().join('+');
    const found = new Map(r.pairs.map((p) => [key(p), p]));
    const a = found.get('crm-0-0+dup-a');
    assert.equal(a?.decision, 'link', JSON.stringify(r.pairs));
    assert.ok(a!.matchedOn.includes('givenName') && a!.evidence.some((e) => e.field === 'givenName' && e.level === 'nickname'));
    const b = found.get('crm-1-1+dup-b');
    assert.ok(b && b.confidence >= 0.5, JSON.stringify(r.pairs));
    assert.ok(b!.evidence.some((e) => e.field === 'email' && e.level === 'one typo apart'));
    const household = found.get('house-1+house-2');
    assert.ok(!household || household.decision === 'review', 'never linked automatically');
    assert.ok(r.pairs.every((p) => p.confidence >= 0.5 && p.confidence <= 1 && typeof p.explanation === 'string'));
    assert.ok(!r.err.includes('\r'), 'no progress bar when stderr is not a terminal');
    // 76 records with two duplicates hold too few matches to estimate m from: the built-in weights are used, and said so
    assert.match(r.err, /weights not learnt \(no blocking pass .* found 5 or more likely matches to estimate m from\); the built-in weights are used/);
    assert.match(r.err, /blocking: \d+ candidate pairs over the union of 8 rules/);
  });

  it('links a file against another one with its own column names, as in the README example', async () => {
    const r = await link(posCsv, '--against', crmCsv, '--id', 'pos_id', '--columns', 'givenName=fname,familyName=lname,email=mail,postalCode=postcode,dateOfBirth=birth');
    assert.equal(r.code, 1, 'the CRM file has no pos_id column');
    assert.match(r.err, /--id: .*crm-export\.csv has no column "pos_id"\. Fix: .*--against-id/s);
    const both = await link(posCsv, '--against', crmCsv, '--id', 'pos_id', '--against-id', 'id', '--columns', 'givenName=fname,familyName=lname,email=mail,postalCode=postcode,dateOfBirth=birth');
    assert.equal(both.code, 0, both.err);
    assert.deepEqual(both.pairs.filter((p) => p.decision === 'link').map((p) => [p.left, p.right]).sort(), [['pos-1', 'crm-8-3'], ['pos-2', 'crm-11-5']]);
    const mapping = join(dir.path, 'pos-map.json');
    writeFileSync(mapping, JSON.stringify({ givenName: 'fname', familyName: 'lname', email: 'mail', postalCode: 'postcode', dateOfBirth: 'birth' }));
    const ok = await link(posJsonl, '--against', crmCsv, '--against-id', 'id', '--mapping', mapping, '--no-learn');
    assert.equal(ok.code, 0, ok.err);
    const byLeft = new Map(ok.pairs.map((p) => [p.left, p]));
    assert.equal(byLeft.get('line 1')?.right, 'crm-8-3');
    assert.equal(byLeft.get('line 2')?.right, 'crm-11-5');
    assert.equal(byLeft.has('line 3'), false);
  });

  it('links a file against the customers in the store', async () => {
    const store = `sqlite:${join(dir.path, 'store.db')}`;
    await new LocalSqlCrm(await openDatabase(store)).upsertCustomers([
      { id: 'cus_mia', profile: { givenName: 'Mia', familyName: 'Schmidt', email: 'mia.schmidt83@example.com', postalCode: '94059' }, keys: [{ kind: 'email', value: 'mia.schmidt83@example.com' }] },
      { id: 'cus_other', profile: { givenName: 'Ann', familyName: 'Other', postalCode: '55555' }, keys: [] },
    ]);
    await closeAllDatabases();
    const r = await link(posCsv, '--against', 'store', '--store', store, '--id', 'pos_id', '--columns', 'givenName=fname,familyName=lname,email=mail,postalCode=postcode');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.pairs.map((p) => [p.left, p.right, p.decision]), [['pos-1', 'cus_mia', 'link']]);
  });

  it('names the wrong field or column and how to fix it', async () => {
    const bad = await link(crmCsv, '--columns', 'firstName=first_name');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--columns: "firstName" is not a customer field\. Fix: use one of: givenName/);
    const missing = await link(crmCsv, '--columns', 'givenName=vorname');
    assert.match(missing.err, /the file has no column "vorname"/);
    // A file whose headers name nothing link compares would only score the prior: refused, naming its headers.
    const unnamed = join(dir.path, 'unnamed.csv');
    writeFileSync(unnamed, 'col_a,col_b\nAnna,Schmidt\nAnna,Schmitt\n');
    const unmapped = await link(unnamed);
    assert.equal(unmapped.code, 1);
    assert.match(unmapped.err, /--columns: none of the columns of .*unnamed\.csv \(col_a, col_b\) is a field link compares\. Fix: map them, e\.g\. --columns givenName=first_name/);
    const none = await link();
    assert.equal(none.code, 1);
    assert.match(none.err, /no customer file given/);
  });
});
