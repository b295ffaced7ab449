import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { blockKeys, BLOCKING_RULES, ruleKeys } from '../../../nodes/core/match/blocking';
import { compareRecords, idNumberLevel } from '../../../nodes/core/match/compare';
import { CustomerIndex } from '../../../nodes/core/match/customer-index';
import { evidenceOf } from '../../../nodes/core/match/decide';
import { damerauWithin } from '../../../nodes/core/match/edit-distance';
import { DETERMINISTIC_RULES } from '../../../nodes/core/match/learn-weights';
import { linkRecords } from '../../../nodes/core/match/link-records';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import { resolveMatchConfig } from '../../../nodes/core/match/match-config';
import type { MatchRecord } from '../../../nodes/core/contracts/match-record';
import { normalizeIdNumber } from '../../../nodes/core/match/normalize-fields';
import { normalizeRecord } from '../../../nodes/core/match/normalized-record';
import { parseColumnMapping, readRecordFile } from '../../../nodes/core/match/record-file';
import { loadMatchWeights, saveMatchWeights } from '../../../nodes/core/match/stored-weights';
import { DEFAULT_WEIGHTS, F, FIELDS, householdOnly, MISSING } from '../../../nodes/core/match/weights';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { dedupSet, linkSet } from '../../support/person-corruption/datasets';
import { tempDir } from '../../support/temp-store';
import { payment, seedCustomers, strangers } from './match-fixtures';
import { matchRecordOf } from './person-population';

/** Full optimal-string-alignment distance, the textbook table: what damerauWithin must agree with below its cap. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

const rec = (id: string, fields: Partial<MatchRecord>) => normalizeRecord({ id, ...fields });

/** A stable 7-digit number per person, as a national register would issue. */
const idOf = (trueId: string) => String(1_000_000 + ((Number(trueId.replace(/\D/g, '')) * 7919 + 13) % 8_999_999));

describe('an identifier (national id, member number) compared, blocked on and learnt', { timeout: 120_000 }, () => {
  const dir = tempDir('tcrm-identifier-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('reads the same number however it was typed: spaces, dashes, dots, slashes, letter case', () => {
    assert.equal(normalizeIdNumber(' 123-45-6789 '), '123456789');
    assert.equal(normalizeIdNumber('85.07.30-033.61'), '85073003361');
    assert.equal(normalizeIdNumber('AB 12/34 C'), 'ab1234c');
    assert.equal(normalizeIdNumber(' - '), undefined);
    assert.equal(normalizeIdNumber(undefined), undefined);
    assert.equal(rec('x', { idNumber: 'QQ 12 34 56 C' }).idNumber, 'qq123456c');
    assert.equal('idNumber' in rec('y', { givenName: 'Ann' }), false, 'a record without one holds no property for it');
  });

  it('grades same, one slip (wrong, missing, extra or swapped character), two slips and different', () => {
    const level = (a: string, b: string) => FIELDS[F.id]!.levels[idNumberLevel(normalizeIdNumber(a), normalizeIdNumber(b))]!.name;
    assert.equal(level('530-4218', '5304218'), 'same');
    assert.equal(level('5304218', '5304219'), 'one edit or transposition');
    assert.equal(level('5304218', '5304281'), 'one edit or transposition', 'two neighbouring digits swapped is one slip');
    assert.equal(level('5304218', '530428'), 'one edit or transposition');
    assert.equal(level('5304218', '53042188'), 'one edit or transposition');
    assert.equal(level('5304218', '5034281'), 'two edits');
    assert.equal(level('5304218', '5309918'), 'two edits');
    assert.equal(level('5304218', '5999918'), 'different');
    assert.equal(level('5304218', '1234567'), 'different');
    // in a short number one slip is another member's: "123" and "124" are two people
    assert.equal(level('123', '124'), 'different');
    assert.equal(level('1234', '1243'), 'one edit or transposition');
    assert.equal(level('12345', '21354'), 'different', 'two slips in a five-character number leave too little of it');
    assert.equal(idNumberLevel(undefined, '5304218'), MISSING);
    assert.equal(idNumberLevel('5304218', undefined), MISSING);
  });

  it('counts edits as the full Damerau (optimal string alignment) table does, up to its cap', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const word = () => Array.from({ length: 3 + (next() % 6) }, () => 'abc'[next() % 3]).join('');
    for (let i = 0; i < 3000; i++) {
      const a = word();
      const b = word();
      const full = osa(a, b);
      for (const max of [1, 2, 3]) assert.equal(damerauWithin(a, b, max), Math.min(full, max + 1), `${a} ${b} max ${max}`);
    }
  });

  it('weighs a number many records hold (a placeholder) little and one person\'s own a lot, by its frequency', () => {
    const index = new CustomerIndex();
    for (let i = 0; i < 160; i++) index.upsert({ id: `c${i}`, givenName: `Name${i}`, familyName: 'Stranger', idNumber: String(2_000_000 + i * 37) });
    for (let i = 0; i < 40; i++) index.upsert({ id: `p${i}`, givenName: `Other${i}`, familyName: 'Person', idNumber: '0000000' });
    const cfg = resolveMatchConfig({});
    const own = index.get('c5')!;
    const placeholder = index.get('p5')!;
    const probeOwn = rec('probe-1', { idNumber: own.idNumber });
    const probePlaceholder = rec('probe-2', { idNumber: '000-0000' });
    const wOwn = compareRecords(probeOwn, own, cfg.logWeights, cfg.weights.m, index.frequencies).weight;
    const wPlaceholder = compareRecords(probePlaceholder, placeholder, cfg.logWeights, cfg.weights.m, index.frequencies).weight;
    const m = DEFAULT_WEIGHTS.m[F.id]![0]!;
    assert.ok(Math.abs(wOwn - Math.log2(m / (1 / 200))) < 1e-9, `one holder of 200: ${wOwn}`);
    assert.ok(Math.abs(wPlaceholder - Math.log2(m / (40 / 200))) < 1e-9, `40 holders of 200: ${wPlaceholder}`);
    assert.ok(wOwn - wPlaceholder > 5, 'forty holders make it weigh log2(40) less');
    // the explanation shows the same adjusted weight
    const e = evidenceOf(probePlaceholder, placeholder, index, cfg).evidence.find((x) => x.field === 'idNumber');
    assert.deepEqual(e && [e.level, e.weight], ['same', Math.round(wPlaceholder * 100) / 100]);
  });

  it('leaves records without one as they were: the field is missing, weighs nothing and is not in the evidence', () => {
    const index = new CustomerIndex();
    index.upsert({ id: 'ann', givenName: 'Ann', familyName: 'Lopez', postalCode: '2000', idNumber: '5304218' });
    index.upsert({ id: 'bob', givenName: 'Bob', familyName: 'Lopez', postalCode: '2000' });
    const cfg = resolveMatchConfig({});
    const probe = rec('pay', { givenName: 'Ann', familyName: 'Lopez', postalCode: '2000' });
    const levels = new Int8Array(FIELDS.length);
    const withId = compareRecords(probe, index.get('ann')!, cfg.logWeights, cfg.weights.m, index.frequencies, levels);
    assert.equal(levels[F.id], MISSING);
    const without = compareRecords(probe, rec('ann', { givenName: 'Ann', familyName: 'Lopez', postalCode: '2000' }), cfg.logWeights, cfg.weights.m, index.frequencies);
    assert.equal(withId.weight, without.weight);
    assert.equal(evidenceOf(probe, index.get('ann')!, index, cfg).evidence.some((e) => e.field === 'idNumber'), false);
  });

  it('takes the same identifier with a different given name for one person, not a household', () => {
    const levels = new Int8Array(FIELDS.length);
    const cfg = resolveMatchConfig({});
    const household = { givenName: 'Sophia', familyName: 'Rossi', street: '164 Pine St', postalCode: '94046' };
    compareRecords(rec('a', { ...household }), rec('b', { ...household, givenName: 'Marco' }), cfg.logWeights, cfg.weights.m, undefined, levels);
    assert.equal(householdOnly(levels), true);
    compareRecords(rec('a', { ...household, idNumber: '5304218' }), rec('b', { ...household, givenName: 'Marco', idNumber: '5304219' }), cfg.logWeights, cfg.weights.m, undefined, levels);
    assert.equal(householdOnly(levels), true, 'a number one slip apart may be a sibling\'s');
    compareRecords(rec('a', { ...household, idNumber: '5304218' }), rec('b', { ...household, givenName: 'Marco', idNumber: '530 4218' }), cfg.logWeights, cfg.weights.m, undefined, levels);
    assert.equal(householdOnly(levels), false);
  });

  it('blocks on it: a pair whose names, birth date and address were all retyped is still compared', () => {
    const rule = BLOCKING_RULES.find((r) => r.name === 'identifier');
    assert.ok(rule);
    const a = rec('a', { givenName: 'Alysaha', familyName: 'Hyland', dateOfBirth: '1973-12-11', postalCode: '2600', idNumber: '6582947' });
    const b = rec('b', { givenName: 'David', familyName: 'Candida', dateOfBirth: '1978-11-04', postalCode: '4000', idNumber: '658-2947' });
    assert.deepEqual(ruleKeys(rule, a), ruleKeys(rule, b));
    assert.equal(ruleKeys(rule, rec('c', { givenName: 'No', familyName: 'Number' })).length, 0);
    const index = new CustomerIndex();
    index.upsert({ id: 'b', givenName: 'David', familyName: 'Candida', dateOfBirth: '1978-11-04', postalCode: '4000', idNumber: '658-2947' });
    assert.deepEqual(index.candidates(a).map((r) => r.id), ['b']);
    const withoutId = { ...a };
    delete withoutId.idNumber;
    assert.deepEqual(index.candidates(withoutId), [], 'nothing else brings them together');
    assert.ok(blockKeys(a).length > blockKeys(withoutId).length);
  });

  it('reports the identifier rule with its pairs and recall, learns its m from the other passes, and lets it count for λ', () => {
    const set = linkSet({ seed: 'identifier', size: 600 });
    // a register's number per person; in one record in ten of B typed with one slip
    const a = set.a.map((r) => ({ ...matchRecordOf(r), idNumber: idOf(r.original.trueId) }));
    const b = set.b.map((r, i) => {
      const id = idOf(r.original.trueId);
      return { ...matchRecordOf(r), idNumber: i % 10 === 3 ? `${id.slice(0, 3)}${id[4]}${id[3]}${id.slice(5)}` : `${id.slice(0, 3)}-${id.slice(3)}` };
    });
    const lines: string[] = [];
    const summary = linkRecords(a, b, { defaultRegion: 'AU' }, { onPair: () => undefined, onDiagnostic: (l) => lines.push(l) });
    const l = summary.learnt;
    assert.ok(l, summary.notLearnt);
    const pass = l.passes.find((p) => p.name === 'identifier');
    assert.ok(pass, lines.join('\n'));
    assert.equal(pass.m[F.id], undefined, 'the pass blocked on the identifier does not estimate it');
    assert.ok(l.estimated[F.id], 'the other passes do');
    assert.ok(l.weights.m[F.id]![0]! > 0.8 && l.weights.m[F.id]![1]! > 0.05, `m ${l.weights.m[F.id]}`);
    assert.ok(DETERMINISTIC_RULES.some((r) => r.length === 1 && r[0] === F.id));
    assert.ok(l.deterministicRecall > 0.9, `deterministic rules with the identifier find ${l.deterministicRecall}`);
    const report = summary.blocking.find((r) => r.rule === 'identifier');
    assert.ok(report && report.candidates >= 500 && report.expectedMatches > 0.85 * 600, JSON.stringify(report));
    assert.ok(lines.some((x) => /^ {2}identifier: \d+ pairs, \d+ expected matches \(\d+\.\d% of matches\)$/.test(x)), lines.join('\n'));
    assert.ok(lines.some((x) => /^ {2}blocked on identifier: \d+ pairs/.test(x)));
    assert.ok(lines.some((x) => /^ {2}idNumber: same m=\S+ u=\S+ \(\+\d+\.\d\) \| one edit or transposition m=/.test(x)));
  });

  it('finds more of the same people in a file with the identifier, and no more wrong ones', () => {
    const set = dedupSet({ seed: 'identifier-dedup', records: 500, duplicates: 200 });
    const plain = set.records.map(matchRecordOf);
    const withId = set.records.map((r) => ({ ...matchRecordOf(r), idNumber: idOf(r.original.trueId) }));
    const truth = new Map(set.records.map((r) => [r.row.rec_id, r.original.trueId]));
    const score = (recs: MatchRecord[]) => {
      let links = 0;
      let right = 0;
      linkRecords(recs, undefined, { defaultRegion: 'AU' }, {
        onPair: (p) => {
          if (p.decision !== 'link') return;
          links++;
          if (truth.get(p.left) === truth.get(p.right)) right++;
        },
      });
      return { precision: right / links, recall: right / set.truePairs };
    };
    const before = score(plain);
    const after = score(withId);
    assert.ok(after.recall > before.recall + 0.005, `recall ${before.recall} → ${after.recall}`);
    assert.ok(after.precision >= before.precision, `precision ${before.precision} → ${after.precision}`);
  });

  it('maps it from a file column with --columns, and finds it under a national id\'s usual column names', () => {
    const csv = 'id,first,last,member_no,ssn\n1,Ann,Lopez,M-0042 17,123-45-6789\n';
    const explicit = readRecordFile(csv, 'csv', { idColumn: 'id', columns: parseColumnMapping('idNumber=member_no') });
    assert.equal(explicit.columns.idNumber, 'member_no');
    assert.equal(explicit.records[0]!.idNumber, 'M-0042 17');
    const found = readRecordFile(csv, 'csv', { idColumn: 'id' });
    assert.equal(found.columns.idNumber, 'ssn', 'a customer or member number is each record\'s own in one system: mapped only when asked');
    assert.equal(readRecordFile('id,first,member_no\n1,Ann,7\n', 'csv').records[0]!.idNumber, undefined);
  });

  it('loads weights stored before the identifier existed: every learnt field kept, the identifier on its built-in weights', async () => {
    const url = `sqlite:${join(dir.path, 'store.db')}`;
    const db = await openDatabase(url);
    const crm = new LocalSqlCrm(db);
    await seedCustomers(crm, [...strangers(), { id: 'cus_ann', givenName: 'Ann', familyName: 'Lopez', postalCode: '2000' }]);
    const familyWeight = async () => {
      const m = await matchCustomer(payment({ name: 'Ann Lopez', postalCode: '2000' }), { crm: new LocalSqlCrm(await openDatabase(url)) });
      const e = m.evidence?.find((x) => x.field === 'familyName' && x.level === 'same');
      assert.ok(e, m.explanation);
      await closeAllDatabases();
      return e.weight;
    };
    const builtIn = await familyWeight();
    // what schema 11 stored when it first shipped: seven unnamed rows, in the order of the fields then
    const legacyM = DEFAULT_WEIGHTS.m.slice(0, 7).map((r) => [...r]);
    const legacyU = DEFAULT_WEIGHTS.u.slice(0, 7).map((r) => [...r]);
    legacyM[F.family] = [0.5, 0.2, 0.1, 0.1, 0.1];
    const old = await openDatabase(url);
    await old.run('INSERT INTO match_weights (scope, weights, diagnostic, learnt_at) VALUES (?, ?, ?, ?)', ['store', JSON.stringify({ m: legacyM, u: legacyU }), 'learnt long ago', '2026-01-01T00:00:00.000Z']);
    const loaded = await loadMatchWeights(old);
    assert.ok(loaded, 'still loads');
    assert.deepEqual(loaded.defaulted, ['idNumber']);
    assert.deepEqual(loaded.weights.m.slice(0, 7), legacyM);
    assert.deepEqual(loaded.weights.u.slice(0, 7), legacyU);
    assert.deepEqual([loaded.weights.m[F.id], loaded.weights.u[F.id]], [DEFAULT_WEIGHTS.m[F.id], DEFAULT_WEIGHTS.u[F.id]]);
    await closeAllDatabases();
    // Match Customer scores payments with what was learnt, not the built-in weights
    const learnt = await familyWeight();
    assert.ok(Math.abs(learnt - builtIn - Math.log2(0.5 / DEFAULT_WEIGHTS.m[F.family]![0]!)) < 0.02, `built in ${builtIn}, stored ${learnt}`);

    // what is stored now names its fields, so a field added later is found by name, wherever it sits
    const now = await openDatabase(url);
    await saveMatchWeights(now, loaded.weights, 'learnt again');
    const row = await now.get<{ weights: string }>('SELECT weights FROM match_weights WHERE scope = ?', ['store']);
    const stored = JSON.parse(row!.weights) as { fields: string[]; m: number[][] };
    assert.deepEqual(stored.fields, FIELDS.map((f) => f.field));
    const reordered = { fields: [...stored.fields].reverse(), m: [...loaded.weights.m].reverse(), u: [...loaded.weights.u].reverse() };
    await now.run('UPDATE match_weights SET weights = ? WHERE scope = ?', [JSON.stringify(reordered), 'store']);
    const again = await loadMatchWeights(now);
    assert.deepEqual(again?.weights, loaded.weights);
    assert.equal(again?.defaulted, undefined);
    // rows that fit no field's levels are refused, and the built-in weights used
    await now.run('UPDATE match_weights SET weights = ? WHERE scope = ?', [JSON.stringify({ m: legacyM.slice(1), u: legacyU.slice(1) }), 'store']);
    assert.equal(await loadMatchWeights(now), undefined);
  });
});
