import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeatWhileRunning } from '../../../temporal/activities/heartbeat-while-running';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An activity environment that counts the heartbeats its activity sends. */
function counting(): { env: MockActivityEnvironment; beats: () => number } {
  const env = new MockActivityEnvironment({ activityType: 'crmSyncDrain' });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  return { env, beats: () => beats };
}

describe('heartbeatWhileRunning: a scheduled run tells Temporal it is alive while it works', { timeout: 10_000 }, () => {
  it('heartbeats at once and then every interval while the work runs, and stops when it ends', async () => {
    const { env, beats } = counting();
    let duringWork = 0;
    const result = await env.run(() => heartbeatWhileRunning(async () => {
      await sleep(330);
      duringWork = beats();
      return 'synced';
    }, 100));
    assert.equal(result, 'synced');
    assert.ok(duringWork >= 3 && duringWork <= 5, `one at the start and one per 100 ms over 330 ms, got ${duringWork}`);
    const atEnd = beats();
    await sleep(250);
    assert.equal(beats(), atEnd, 'no heartbeat after the work ended');
  });

  it('stops heartbeating when the work fails, and passes the failure on unchanged', async () => {
    const { env, beats } = counting();
    const failure = new Error('HubSpot answered 502');
    await assert.rejects(env.run(() => heartbeatWhileRunning(async () => {
      await sleep(120);
      throw failure;
    }, 50)), (e) => e === failure);
    const atEnd = beats();
    assert.ok(atEnd >= 2, `heartbeats while it worked, got ${atEnd}`);
    await sleep(200);
    assert.equal(beats(), atEnd);
  });

  it('in a local activity (whose heartbeats the SDK ignores) only runs the work', async () => {
    const env = new MockActivityEnvironment({ activityType: 'upsert', isLocal: true });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    assert.equal(await env.run(() => heartbeatWhileRunning(async () => {
      await sleep(120);
      return 'recorded';
    }, 20)), 'recorded');
    assert.equal(beats, 0);
  });

  it('outside an activity (a test or CLI calling the activity directly) only runs the work', async () => {
    assert.equal(await heartbeatWhileRunning(async () => 42, 10), 42);
    await assert.rejects(heartbeatWhileRunning(async () => {
      throw new Error('store locked');
    }, 10), /store locked/);
  });
});
