import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { announceLocalWorker, localWorkerClient } from '../../temporal/local-worker';

describe('the worker of this process, for its webhook entry', () => {
  const client = (name: string) => ({ name }) as unknown as Client;

  it('is found only for its own namespace and task queue, and not once withdrawn', () => {
    assert.equal(localWorkerClient('default', 'terminal-crm'), undefined, 'none announced yet');
    const a = client('a');
    const withdraw = announceLocalWorker({ client: a, namespace: 'default', taskQueue: 'terminal-crm' });
    assert.equal(localWorkerClient('default', 'terminal-crm'), a);
    assert.equal(localWorkerClient('default', 'other-queue'), undefined, 'another task queue: its worker is elsewhere');
    assert.equal(localWorkerClient('shop-2', 'terminal-crm'), undefined, 'another namespace');
    withdraw();
    assert.equal(localWorkerClient('default', 'terminal-crm'), undefined);
  });

  it('a withdrawal of a worker replaced meanwhile leaves the newer one', () => {
    const withdrawOld = announceLocalWorker({ client: client('old'), namespace: 'default', taskQueue: 'q' });
    const fresh = client('new');
    const withdrawNew = announceLocalWorker({ client: fresh, namespace: 'default', taskQueue: 'q' });
    withdrawOld();
    assert.equal(localWorkerClient('default', 'q'), fresh);
    withdrawNew();
    assert.equal(localWorkerClient('default', 'q'), undefined);
  });
});
