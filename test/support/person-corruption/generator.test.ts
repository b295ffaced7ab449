import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedupSet, linkSet, toCsv } from './datasets';
import { DEFAULT_LIMITS, FIELD_KEYS, FIELD_MODELS, FIELD_SWAPS } from './error-model';
import { NICKNAMES } from './name-material';

const digits = (s: string) => s.replace(/\D/g, '').replace(/^61/, '0');

describe('person-corruption generator', { timeout: 60_000 }, () => {
  it('is deterministic by seed', () => {
    assert.equal(toCsv(linkSet({ seed: 7, size: 300 }).b), toCsv(linkSet({ seed: 7, size: 300 }).b));
    assert.equal(toCsv(dedupSet({ seed: 7, records: 300, duplicates: 100 }).records), toCsv(dedupSet({ seed: 7, records: 300, duplicates: 100 }).records));
    assert.notEqual(toCsv(linkSet({ seed: 7, size: 300 }).b), toCsv(linkSet({ seed: 8, size: 300 }).b));
  });

  it('writes the link set as two files of one person each, under ids that say nothing of the truth', () => {
    const set = linkSet({ seed: 1 });
    assert.equal(set.a.length, 5000);
    assert.equal(set.b.length, 5000);
    const inA = new Set(set.a.map((r) => r.row.true_id));
    const inB = new Set(set.b.map((r) => r.row.true_id));
    assert.equal(inA.size, 5000);
    assert.deepEqual([...inB].sort(), [...inA].sort());
    assert.equal(new Set([...set.a, ...set.b].map((r) => r.row.rec_id)).size, 10_000);
    // B is shuffled: its order says nothing of A's
    const sameSlot = set.b.filter((r, i) => set.a[i]!.row.true_id === r.row.true_id).length;
    assert.ok(sameSlot < 10, `${sameSlot} B records sit at their A record's position`);
    assert.match(toCsv(set.a).split('\n')[0]!, /^rec_id,true_id,given_name,surname,street_address,address_2,suburb,postcode,state,date_of_birth,email,phone_number$/);
  });

  it('writes the dedup set as 5,000 records of which 2,000 are duplicates, at most five per original', () => {
    const set = dedupSet({ seed: 1 });
    assert.equal(set.records.length, 5000);
    const sizes = new Map<string, number>();
    for (const r of set.records) sizes.set(r.row.true_id, (sizes.get(r.row.true_id) ?? 0) + 1);
    assert.equal(sizes.size, 3000);
    assert.equal(set.records.filter((r) => r.corruption).length, 2000);
    assert.ok(Math.max(...sizes.values()) <= 6);
    assert.equal(set.truePairs, [...sizes.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0));
    // FEBRL's zipf option: originals with one duplicate outnumber those with two, and so on
    const withK = (k: number) => [...sizes.values()].filter((n) => n === k + 1).length;
    assert.ok(withK(1) > withK(2) && withK(2) > withK(3), `originals with 1, 2, 3 duplicates: ${withK(1)}, ${withK(2)}, ${withK(3)}`);
  });

  const big = linkSet({ seed: 'rates', size: 20_000 });
  const dups = big.b.map((r) => r.corruption!);

  it('picks the fields to corrupt at FEBRL\'s select probabilities', () => {
    const picks = dups.flatMap((c) => c.selected);
    const total = FIELD_KEYS.reduce((s, f) => s + FIELD_MODELS[f].select, 0);
    for (const f of FIELD_KEYS) {
      const expected = FIELD_MODELS[f].select / total;
      const seen = picks.filter((p) => p === f).length / picks.length;
      assert.ok(Math.abs(seen - expected) <= expected * 0.2, `${f}: ${seen.toFixed(4)} of selections, FEBRL ${expected.toFixed(4)}`);
    }
  });

  it('gives each duplicate 1..maxPerRecord edits, at most maxPerField on a field', () => {
    for (const c of dups) {
      assert.ok(c.edits.length + c.swaps.length >= 1 || c.selected.length >= 1);
      assert.ok(c.edits.length <= DEFAULT_LIMITS.maxPerRecord);
      for (const f of FIELD_KEYS) assert.ok(c.edits.filter((e) => e.field === f).length <= DEFAULT_LIMITS.maxPerField);
    }
    const mean = dups.reduce((s, c) => s + c.edits.length, 0) / dups.length;
    // uniform 1..4 gives 2.5; edits that find nothing to change (a missing field) make it a little less
    assert.ok(mean > 2.1 && mean < 2.56, `mean edits per duplicate ${mean}`);
  });

  it('swaps given and family names, and the other field pairs, at FEBRL\'s field-swap rates', () => {
    for (const [a, b, p] of FIELD_SWAPS) {
      const seen = dups.filter((c) => c.swaps.some(([x, y]) => x === a && y === b)).length / dups.length;
      assert.ok(Math.abs(seen - p) <= Math.max(0.004, p * 0.2), `${a}/${b}: ${seen.toFixed(4)}, FEBRL ${p}`);
    }
    const swapped = big.b.filter((r) => r.corruption!.swaps.some(([x]) => x === 'given_name') && r.corruption!.edits.length === 0 + r.corruption!.edits.filter((e) => e.field !== 'given_name' && e.field !== 'surname').length);
    assert.ok(swapped.length > 100);
    for (const r of swapped) assert.deepEqual([r.row.given_name, r.row.surname], [r.original.surname, r.original.given_name]);
  });

  it('draws the kinds of error within a field at the field\'s rates (date of birth: missing 0.10 of 0.95)', () => {
    const dob = dups.flatMap((c) => c.edits.filter((e) => e.field === 'date_of_birth'));
    const missing = dob.filter((e) => e.kind === 'missing').length / dob.length;
    assert.ok(Math.abs(missing - 0.1 / 0.95) < 0.03, `missing share of date edits ${missing.toFixed(4)}`);
    const transposed = dob.filter((e) => e.kind === 'transpose').length / dob.length;
    assert.ok(Math.abs(transposed - 0.3 / 0.95) < 0.05, `transpose share of date edits ${transposed.toFixed(4)}`);
  });

  it('makes every kind of error it names, visibly', () => {
    const only = (field: string, kind: string) => big.b.filter((r) => r.corruption!.swaps.length === 0 && r.corruption!.edits.length === 1 && r.corruption!.edits[0]!.field === field && r.corruption!.edits[0]!.kind === kind);
    const nick = only('given_name', 'variant').filter((r) => NICKNAMES[r.original.given_name]);
    assert.ok(nick.length > 20);
    for (const r of nick) assert.ok(NICKNAMES[r.original.given_name]!.includes(r.row.given_name), `${r.original.given_name} → ${r.row.given_name}`);
    const ocr = dups.flatMap((c) => c.edits).filter((e) => e.kind === 'ocr');
    const phonetic = dups.flatMap((c) => c.edits).filter((e) => e.kind === 'phonetic');
    assert.ok(ocr.length > 20 && phonetic.length > 500, `ocr ${ocr.length}, phonetic ${phonetic.length}`);
    for (const r of only('date_of_birth', 'transpose')) {
      const [y, m, d] = r.original.date_of_birth.split('-');
      const [y2, m2, d2] = r.row.date_of_birth.split('-');
      const dayMonth = y === y2 && m === d2 && d === m2;
      assert.ok(dayMonth || (y === y2 && m === m2) || (m === m2 && d === d2), `${r.original.date_of_birth} → ${r.row.date_of_birth}`);
    }
    for (const r of only('address_1', 'moved')) {
      assert.notEqual(r.row.suburb, r.original.suburb);
      assert.notEqual(r.row.street_address, `${r.original.street_number} ${r.original.address_1}`);
    }
    assert.ok(only('address_1', 'moved').length > 3);
    for (const r of only('surname', 'missing')) assert.equal(r.row.surname, '');
  });

  it('leaves every duplicate different from its original', () => {
    for (const r of big.b) {
      const o = r.original;
      const same = r.row.given_name === o.given_name && r.row.surname === o.surname && r.row.street_address === `${o.street_number} ${o.address_1}`.trim() &&
        r.row.address_2 === o.address_2 && r.row.suburb === o.suburb && r.row.postcode === o.postcode && r.row.state === o.state &&
        r.row.date_of_birth === o.date_of_birth && r.row.email === o.email && digits(r.row.phone_number) === o.phone_number;
      assert.ok(!same, `${r.row.rec_id} is its original unchanged (${JSON.stringify(r.corruption)})`);
    }
  });
});
