import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloverApiError } from '../../../nodes/core/sources/clover-api';
import { PAN_REDACTION } from '../../../nodes/core/pan-scrub';
import type { DoneFn, NodeMessage, RuntimeNode, SendFn } from '../../../nodes/node-red/shared/red-api';
import { handleInput } from '../../../nodes/node-red/shared/step-node';

/**
 * A step node's failure goes to done(err): Node-RED logs it and hands it to Catch nodes (and on to whatever they
 * feed). An error the core did not build (a processor's answer quoted by its API error) may hold a card number.
 */
const PAN = '4012888888881881';

/** A node whose step fails with `failure`; what it shows and hands to done. */
async function failedWith(failure: unknown): Promise<{ error: Error | undefined; status: unknown[] }> {
  let input: ((msg: NodeMessage, send: SendFn, done: DoneFn) => void) | undefined;
  const status: unknown[] = [];
  const node = { id: 'n1', type: 'terminal-tokenize', on: (event: string, l: never) => { if (event === 'input') input = l; }, status: (s: unknown) => status.push(s) } as unknown as RuntimeNode;
  handleInput(node, async () => { throw failure; });
  return new Promise((resolve) => input!({ payload: {} } as NodeMessage, () => {}, (error) => resolve({ error, status })));
}

describe('Node-RED: a step node\'s failure leaves without card data', { timeout: 10_000 }, () => {
  it('done(err) and the status line: message and stack scrubbed, the error kept', async () => {
    const thrown = new CloverApiError(400, 'reading payment ABC', `Invalid card number ${PAN}`);
    const { error, status } = await failedWith(thrown);
    assert.equal(error, thrown);
    assert.equal(error!.message, `Clover answered 400 reading payment ABC: Invalid card number ${PAN_REDACTION}`);
    const shown = JSON.stringify({ stack: error!.stack, status });
    assert.ok(!shown.includes(PAN), shown);
  });

  it('a thrown string, scrubbed', async () => {
    const { error } = await failedWith(`card ${PAN}`);
    assert.equal(error!.message, `card ${PAN_REDACTION}`);
  });
});
