import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import { matchCustomer } from '../../nodes/core/match/match-customer';
import { loadMatchWeights } from '../../nodes/core/match/stored-weights';
import { DEFAULT_WEIGHTS, F } from '../../nodes/core/match/weights';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { payment } from '../core/match/match-fixtures';
import { dedupSet, linkSet, toCsv } from '../support/person-corruption/datasets';
import { tempDir } from '../support/temp-store';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['link', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('terminal-crm link: learning into the store, clusters and one-to-one', { timeout: 120_000 }, () => {
  const dir = tempDir('tcrm-link-learn-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('re-learns the weights from the store, keeps them there, and Match Customer scores with them', async () => {
    const url = `sqlite:${join(dir.path, 'store.db')}`;
    const set = dedupSet({ seed: 'learn-store', records: 600, duplicates: 200 });
    await new LocalSqlCrm(await openDatabase(url)).upsertCustomers(set.records.map(({ row }) => ({
      id: row.rec_id,
      profile: { givenName: row.given_name || undefined, familyName: row.surname || undefined, street: row.street_address || undefined, city: row.suburb || undefined, postalCode: row.postcode || undefined, dateOfBirth: row.date_of_birth || undefined },
      keys: [],
    })));
    const target = set.records.find((r) => r.row.given_name && r.row.surname && r.row.postcode)!.row;
    const probe = () => payment({ name: `${target.given_name} ${target.surname}`, postalCode: target.postcode });
    const familyWeight = async () => {
      const m = await matchCustomer(probe(), { crm: new LocalSqlCrm(await openDatabase(url)) });
      const e = m.evidence?.find((x) => x.field === 'familyName' && x.level === 'same');
      assert.ok(e, m.explanation);
      await closeAllDatabases();
      return e.weight;
    };
    const before = await familyWeight();
    assert.equal(await loadMatchWeights(await openDatabase(url)), undefined, 'nothing learnt yet');
    await closeAllDatabases();

    const r = await cli('--against', 'store', '--learn', '--store', url, '--region', 'AU');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /learning weights from 600 customers/);
    assert.match(r.err, /match proportion λ \S+: ≈ \d+ matching pairs of 179700/);
    assert.match(r.err, /weights kept in the store \(learnt at \d{4}-\d\d-\d\dT/);
    const stored = await loadMatchWeights(await openDatabase(url));
    await closeAllDatabases();
    assert.ok(stored, 'a row in match_weights');
    assert.notDeepEqual(stored.weights.m, DEFAULT_WEIGHTS.m);
    assert.match(stored.diagnostic!, /blocked on date of birth/);

    // the same payment against the same customers: the family name now weighs what the store taught
    const afterLearning = await familyWeight();
    const expectedShift = Math.log2(stored.weights.m[F.family]![0]! / DEFAULT_WEIGHTS.m[F.family]![0]!);
    assert.ok(Math.abs(afterLearning - before - expectedShift) < 0.03, `before ${before}, after ${afterLearning}, expected shift ${expectedShift}`);
  });

  it('refuses --learn without the store, and with --no-learn', async () => {
    const r = await cli('x.csv', '--learn');
    assert.equal(r.code, 1);
    assert.match(r.err, /--learn: keeps weights in the store, so it needs --against store\. Fix: add --against store/);
    const both = await cli('--against', 'store', '--learn', '--no-learn');
    assert.match(both.err, /--learn: cannot go with --no-learn/);
  });

  it('writes a cluster id per record of one file, and links two files one-to-one', async () => {
    const set = dedupSet({ seed: 'cli-clusters', records: 400, duplicates: 120 });
    const file = join(dir.path, 'dedup.csv');
    writeFileSync(file, toCsv(set.records));
    const clusters = join(dir.path, 'clusters.csv');
    const r = await cli(file, '--id', 'rec_id', '--columns', 'city=suburb,street=street_address', '--region', 'AU', '--clusters', clusters);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /; \d+ clusters of two or more records \(cluster per record in .*clusters\.csv\)/);
    const rows = readFileSync(clusters, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'id,cluster');
    assert.equal(rows.length, 401);
    const truth = new Map(set.records.map((x) => [x.row.rec_id, x.row.true_id]));
    const byCluster = new Map<string, Set<string>>();
    for (const line of rows.slice(1)) {
      const [id, c] = line.split(',');
      byCluster.set(c!, (byCluster.get(c!) ?? new Set()).add(truth.get(id!)!));
    }
    assert.ok(Math.abs(byCluster.size - new Set(truth.values()).size) <= 15, `${byCluster.size} clusters`);

    const ls = linkSet({ seed: 'cli-one-to-one', size: 300 });
    const a = join(dir.path, 'a.csv');
    const b = join(dir.path, 'b.csv');
    writeFileSync(a, toCsv(ls.a));
    writeFileSync(b, toCsv(ls.b));
    const o = await cli(a, '--against', b, '--id', 'rec_id', '--columns', 'city=suburb,street=street_address', '--region', 'AU', '--one-to-one');
    assert.equal(o.code, 0, o.err);
    const links = o.out.trim().split('\n').map((l) => JSON.parse(l) as { left: string; right: string; decision: string }).filter((p) => p.decision === 'link');
    assert.equal(new Set(links.map((p) => p.left)).size, links.length);
    assert.equal(new Set(links.map((p) => p.right)).size, links.length);
    const t = new Map([...ls.a, ...ls.b].map((x) => [x.row.rec_id, x.row.true_id]));
    const right = links.filter((p) => t.get(p.left) === t.get(p.right)).length;
    assert.ok(right / links.length > 0.95 && right / ls.truePairs > 0.9, `${right} right of ${links.length} links, ${ls.truePairs} true`);
    assert.match(o.err, /estimated recall \d+\.\d%/);
    const bad = await cli(a, '--against', b, '--clusters', clusters);
    assert.match(bad.err, /--clusters: clusters are of one file/);
  });
});
