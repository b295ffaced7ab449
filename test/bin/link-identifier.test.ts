import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import type { LinkPair } from '../../nodes/core/match/link-decisions';
import { COLUMNS, linkSet, type LabelledRecord } from '../support/person-corruption/datasets';
import { tempDir } from '../support/temp-store';

async function link(...args: string[]): Promise<{ code: number; pairs: LinkPair[]; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['link', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, pairs: out.trim() ? out.trim().split('\n').map((l) => JSON.parse(l) as LinkPair) : [], err };
}

/** A member number per person, as a loyalty scheme both systems share would issue it. */
const memberNo = (trueId: string) => String(1_000_000 + ((Number(trueId.replace(/\D/g, '')) * 7919 + 13) % 8_999_999));

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
function csv(records: readonly LabelledRecord[], member: (r: LabelledRecord, i: number) => string): string {
  return `${[...COLUMNS, 'member_no'].join(',')}\n${records.map((r, i) => [...COLUMNS.map((c) => r.row[c]), member(r, i)].map(quote).join(',')).join('\n')}\n`;
}

describe('terminal-crm link with an identifier column', { timeout: 120_000 }, () => {
  const dir = tempDir('tcrm-link-id-');
  after(() => dir.remove());

  it('compares and blocks on the column mapped to idNumber: more of the same people found, none wrongly', async () => {
    const set = linkSet({ seed: 'cli-identifier', size: 400 });
    const a = join(dir.path, 'crm.csv');
    const b = join(dir.path, 'pos.csv');
    writeFileSync(a, csv(set.a, (r) => memberNo(r.original.trueId)));
    // the other system prints it with a dash, and one number in ten was typed with two digits swapped
    writeFileSync(b, csv(set.b, (r, i) => {
      const n = memberNo(r.original.trueId);
      return i % 10 === 3 ? `${n.slice(0, 3)}-${n[4]}${n[3]}${n.slice(5)}` : `${n.slice(0, 3)}-${n.slice(3)}`;
    }));
    const person = new Map([...set.a, ...set.b].map((r) => [r.row.rec_id, r.original.trueId]));
    const linked = (pairs: LinkPair[]) => pairs.filter((p) => p.decision === 'link');
    const right = (pairs: LinkPair[]) => linked(pairs).filter((p) => person.get(p.left) === person.get(p.right));

    const common = ['--against', b, '--id', 'rec_id', '--region', 'AU'];
    const without = await link(a, ...common, '--columns', 'city=suburb');
    assert.equal(without.code, 0, without.err);
    assert.doesNotMatch(without.err, /idNumber=/, 'a member number is not taken for an identifier unasked');
    const withId = await link(a, ...common, '--columns', 'city=suburb,idNumber=member_no');
    assert.equal(withId.code, 0, withId.err);
    assert.match(withId.err, /columns [^\n]*idNumber=member_no/);
    assert.match(withId.err, /blocking: \d+ candidate pairs over the union of 8 rules, estimated recall \d/);
    assert.match(withId.err, /\n[^\n]* {2}identifier: \d+ pairs, \d+ expected matches \(\d+\.\d% of matches\)\n/);
    assert.match(withId.err, /blocked on identifier: \d+ pairs/);

    assert.equal(right(withId.pairs).length, linked(withId.pairs).length, 'every link is one person');
    assert.ok(right(withId.pairs).length > right(without.pairs).length, `${right(without.pairs).length} → ${right(withId.pairs).length} of 400`);
    assert.ok(right(withId.pairs).length >= 399, `${right(withId.pairs).length} of 400`);
    const found = new Set(right(without.pairs).map((p) => p.left));
    const gained = right(withId.pairs).filter((p) => !found.has(p.left));
    assert.ok(gained.length > 0 && gained.every((p) => p.evidence.some((e) => e.field === 'idNumber' && e.outcome !== 'disagree' && e.weight > 0)), JSON.stringify(gained[0]));
    assert.ok(gained.every((p) => p.matchedOn.includes('idNumber')));
    const swapped = right(withId.pairs).find((p) => p.evidence.some((e) => e.field === 'idNumber' && e.level === 'one edit or transposition'));
    assert.ok(swapped, 'a number with two digits swapped still counts for the pair');
  });
});
