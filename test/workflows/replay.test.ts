import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { quietTemporalLogs } from '../temporal/support/dev-server';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import * as registered from '../../workflows';
import { historyFromJson } from './support/history-json';
import { HISTORIES_DIR } from './support/record-histories';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
const typeOf = (file: string) => file.split('.')[0]!;
const load = (file: string) => JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as { events: Record<string, unknown>[] };

/**
 * Every history recorded from a real run of this release (test/workflows/histories/, written by
 * support/record-histories.ts) replays against the workflow code as it is now. A change that would make running
 * workflows fail on the next worker deploy — an activity added, removed or reordered without patched(), a timer
 * moved — fails here instead.
 */
describe('recorded workflow histories replay against the current workflow code', { timeout: 120_000 }, () => {
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    quietTemporalLogs();
    bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  });
  after(() => undefined);

  it('has a recorded history for every workflow the worker registers', () => {
    const recorded = new Set(files.map(typeOf));
    const missing = Object.keys(registered).filter((name) => typeof (registered as Record<string, unknown>)[name] === 'function' && !recorded.has(name));
    assert.deepEqual(missing, [], `record them: node build/test/workflows/support/record-histories.js (add a scenario for ${missing.join(', ')})`);
  });

  it('replays every recorded history without a nondeterminism error', async () => {
    const histories = files.map((file) => ({ workflowId: file, history: historyFromJson(load(file)) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'release-histories' }, histories)) {
      replayed++;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });

  it('fails a history the code no longer matches (an activity renamed): the check can fail', async () => {
    const history = load('paymentToCrm.json');
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes) as { activityTaskScheduledEventAttributes: { activityType: { name: string } } };
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'tokenizeBeforeThisRelease';
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'tampered' }, [{ workflowId: 'tampered', history: historyFromJson(history) }])) results.push(r);
    assert.equal(results.length, 1);
    assert.match(String(results[0]!.error), /[Nn]ondeterminis/);
  });
});
