import { backfillRequestOf, controlBackfill } from '../../temporal/backfill-control';
import { obj } from '../core/json/json-values';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';
import { TEMPORAL_SERVER_TYPE, type TemporalServerNode } from './shared/temporal-server-node';

const FIELDS = ['operation', 'source', 'since', 'until', 'crm', 'limit', 'restart'] as const;

/**
 * terminal backfill (help: terminal-backfill.html): starts, reads the progress of, pauses, resumes or cancels the
 * backfill workflow of a window. The node's settings, each overridable by the same field of msg.payload.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-backfill', function TerminalBackfill(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const given = obj(payload) ?? {};
      const fields = Object.fromEntries(FIELDS.map((f) => [f, given[f] !== undefined && given[f] !== '' ? given[f] : def[f]]));
      const request = backfillRequestOf(fields);
      const server = configNode<TemporalServerNode>(RED, def.server, TEMPORAL_SERVER_TYPE, 'Temporal account');
      const answer = await controlBackfill(await server.client(), server.target().taskQueue, request);
      const s = answer.status;
      const progress = s && typeof s.listed === 'number' ? `: ${s.listed} read, ${s.recorded ?? 0} recorded${s.paused ? ', paused' : ''}` : '';
      return { payload: answer, status: `${answer.operation} ${answer.workflowId} (${answer.state ?? '?'})${progress}` };
    });
  });
};
