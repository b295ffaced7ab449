import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import type { InboxReport } from '../../nodes/core/inbox/report';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { fillInbox, REDRIVE_FAILURE, workflowIdOf } from '../core/inbox/support/waiting-inbox';
import { tempDir } from '../support/temp-store';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['inbox', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('terminal-crm inbox', { timeout: 20_000 }, () => {
  const dir = tempDir('tcrm-inbox-cli-');
  const store = `sqlite:${join(dir.path, 'store.db')}`;
  const empty = `sqlite:${join(dir.path, 'empty.db')}`;
  // The command reads the clock: the inbox is filled as of now (claims of a few minutes stay current meanwhile).
  const now = Date.now();
  let e: Awaited<ReturnType<typeof fillInbox>>;
  before(async () => {
    e = await fillInbox(await openDatabase(store), now);
    await openDatabase(empty);
    await closeAllDatabases();
  });
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('lists per source and event what waits, the failures with their reason, the workflows, and ends with the command that finishes them', async () => {
    const { code, out, err } = await cli('--store', store);
    assert.equal(code, 0, err);
    assert.match(err, /^inbox: sqlite:.*store\.db$/m);
    assert.match(out, new RegExp(`^adyen: 1 event waits since ${re(iso(now - 10 * MIN))} · 1 due for a redrive$`, 'm'));
    assert.match(out, new RegExp(`^stripe: 4 events wait since ${re(iso(now - 60 * MIN))} · 3 due for a redrive · 1 failed a redrive · 1 held by a redrive now · 1 in a workflow\n {2}latest failure: ${re(REDRIVE_FAILURE)}$`, 'm'));
    const row = (id: string) => out.split('\n').findIndex((l) => l.includes(id));
    assert.deepEqual([e.claimed.id, e.handed.id, e.failed.id, e.adyen.id, e.recent.id].map(row), [4, 5, 6, 8, 9], out);
    assert.match(out, new RegExp(`^${re(iso(now - 60 * MIN))} {2}stripe {2}\\S+ +${re(e.claimed.id)} +\\(due for a redrive; 1 attempt; held by a redrive until ${re(iso(now + 3 * MIN))}\\)$`, 'm'));
    // The worker's workflow has it, its claim run out: neither failed nor held.
    assert.match(out, new RegExp(`^${re(iso(now - 55 * MIN))} {2}stripe {2}\\S+ +${re(e.handed.id)} +\\(due for a redrive; 1 attempt; in workflow ${re(workflowIdOf(e.handed))} \\(handed over at ${re(iso(now - 20 * MIN))}\\)\\)$`, 'm'));
    assert.match(out, new RegExp(`^${re(iso(now - 50 * MIN))} {2}stripe {2}\\S+ +${re(e.failed.id)} +\\(due for a redrive; 1 attempt\\)\n {4}${re(REDRIVE_FAILURE)}$`, 'm'));
    assert.match(out, new RegExp(`^${re(iso(now - 10 * MIN))} {2}adyen {3}\\S+ +${re(e.adyen.id)} +\\(due for a redrive\\)$`, 'm'));
    assert.match(out, new RegExp(`^${re(iso(now - MIN))} {2}stripe {2}\\S+ +${re(e.recent.id)} +\\(waited less than 5m\\)$`, 'm'));
    assert.ok(!out.includes(e.done.id), 'a recorded event does not wait');
    assert.match(out, /\n\n1 is in the workflow the worker's redrive handed it to, which finishes it; look it up by its id in Temporal if it takes long\.\n`terminal-crm redrive` finishes the 4 that waited 5m or more; a flow may still finish the others\.\n$/);
    assert.doesNotMatch(out, /inbox\d@example|LEE\/SAM|8431|fp_|tok_/, 'nothing of the stored event but its id and type');
  });

  it('prints the report as JSON, filters by source, measures due with --older-than and lists up to --limit', async () => {
    const json = await cli('--store', store, '--json');
    assert.equal(json.code, 0, json.err);
    assert.equal(json.err, '');
    const report = JSON.parse(json.out) as InboxReport & { store: string };
    assert.match(report.store, /^sqlite:.*store\.db$/);
    assert.deepEqual(report.sources.map((s) => [s.source, s.waiting, s.due, s.failed, s.lastError, s.claimed, s.inWorkflow]), [['adyen', 1, 1, 0, null, 0, 0], ['stripe', 4, 3, 1, REDRIVE_FAILURE, 1, 1]]);
    assert.deepEqual(report.events.map((r) => [r.eventId, r.attempts, r.lastError, r.due, r.inWorkflow]), [
      [e.claimed.id, 1, null, true, null],
      [e.handed.id, 1, null, true, { workflowId: workflowIdOf(e.handed), handedOffAt: iso(now - 20 * MIN) }],
      [e.failed.id, 1, REDRIVE_FAILURE, true, null],
      [e.adyen.id, 0, null, true, null],
      [e.recent.id, 0, null, false, null],
    ]);
    assert.doesNotMatch(json.out, /payload|inbox\d@example|LEE\/SAM|fp_/);

    const adyen = await cli('--store', store, '--source', ' adyen ', '--json');
    assert.deepEqual((JSON.parse(adyen.out) as InboxReport).events.map((r) => r.eventId), [e.adyen.id]);
    const none = await cli('--store', store, '--source', 'square');
    assert.equal(none.code, 0);
    assert.equal(none.out, 'Nothing from square waits in the inbox.\n');

    const all = await cli('--store', store, '--older-than', '0');
    assert.match(all.out, /^stripe: 4 events wait since \S+ · 4 due for a redrive/m);
    assert.match(all.out, /\n`terminal-crm redrive --older-than 0` finishes them\.\n$/);
    const hour = await cli('--store', store, '--older-than', '1h30m', '--source', 'adyen');
    assert.match(hour.out, /^adyen: 1 event waits since \S+ · 0 due for a redrive$/m);
    assert.match(hour.out, /\(waited less than 1h30m\)$/m);
    assert.match(hour.out, /\nNone has waited 1h30m yet, so a flow may still finish them; after that `terminal-crm redrive --older-than 1h30m` finishes them\.\n$/);

    const limited = await cli('--store', store, '--limit', '1');
    assert.ok(limited.out.includes(e.claimed.id) && !limited.out.includes(e.failed.id), limited.out);
    assert.match(limited.out, /^… and 4 more \(--limit\)$/m);
  });

  it('says so plainly when nothing waits, and exits 0', async () => {
    const { code, out } = await cli('--store', empty);
    assert.equal(code, 0);
    assert.equal(out, 'Nothing waits in the inbox.\n');
    assert.deepEqual(JSON.parse((await cli('--store', empty, '--json')).out), { store: empty, olderThanMs: 5 * MIN, sources: [], events: [], more: 0 });
  });

  it('refuses a wrong flag naming it and the fix, before it reads the store', async () => {
    const cases: [string[], RegExp][] = [
      [['--source', 'Stripe!'], /^--source: "Stripe!" is not a source name\. Fix: give a source such as stripe, square or adyen/m],
      [['--older-than', 'soon'], /^--older-than: "soon" is not a duration\. Fix: write the grace period your redrives run with, such as 5m/m],
      [['--older-than', 'off'], /^--older-than: "off" turns redriving off, which leaves nothing due\. Fix: write the grace period/m],
      [['--limit', '0'], /^--limit: "0" is not a whole number above 0\. Fix: give a number such as 100/m],
    ];
    for (const [args, message] of cases) {
      // A store that does not exist: the flag is refused first.
      const r = await cli(...args, '--store', join(dir.path, 'nowhere.db'));
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, message, args.join(' '));
    }
    const unknown = await cli('--store', store, '--state', 'accepted');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--state is not an option of inbox/);
  });
});
