import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeOperationError, type INode } from 'n8n-workflow';
import { SumUpApiError } from '../../../nodes/core/sources/sumup-api';
import { PAN_REDACTION } from '../../../nodes/core/pan-scrub';
import { errorMessage, toNodeError } from '../../../nodes/n8n/shared/node-error';

/**
 * n8n keeps a failed execution's error (message, stack, cause) and, with "On Error: Continue", puts the message in the
 * item's `error`. An error the core did not build (a processor's answer quoted by its API error) may hold a card number.
 */
const PAN = '4012888888881881';
const node: INode = { id: 'n1', name: 'Terminal Payment Poll Trigger', type: 'terminalPollTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const quoting = () => new SumUpApiError(400, 'reading transaction tx_1', `Invalid card number ${PAN}`);

describe('n8n: an error leaves a node without card data', { timeout: 10_000 }, () => {
  it('toNodeError: the message n8n shows and keeps, and the cause it keeps, scrubbed', () => {
    const e = toNodeError(node, quoting(), 0);
    const kept = JSON.stringify({ message: e.message, description: e.description, stack: e.stack, cause: (e.cause as Error | undefined)?.message, causeStack: (e.cause as Error | undefined)?.stack });
    assert.ok(!kept.includes(PAN), kept);
    assert.ok(e.message.includes(`Invalid card number ${PAN_REDACTION}`), e.message);
  });

  it('toNodeError: a NodeOperationError a node built from such a message, scrubbed too', () => {
    const e = toNodeError(node, new NodeOperationError(node, `the terminal answered: card ${PAN} declined`));
    assert.ok(!`${e.message} ${e.stack}`.includes(PAN), e.message);
  });

  it('errorMessage: the item\'s error under "On Error: Continue", scrubbed', () => {
    assert.equal(errorMessage(quoting()), `SumUp answered 400 reading transaction tx_1: Invalid card number ${PAN_REDACTION}`);
    assert.equal(errorMessage(`plain ${PAN}`), `plain ${PAN_REDACTION}`);
  });
});
