import { backfillRequestOf, controlBackfill } from '../../temporal/backfill-control';
import { InputError } from '../core/errors';
import { obj } from '../core/json/json-values';
import { configNode } from './shared/config-node';
import { formCheckbox } from './shared/form-choice';
import { refuseMisspeltOverrides } from './shared/misspelt-override';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { shortText } from './shared/short-text';
import { handleInput } from './shared/step-node';
import { TEMPORAL_SERVER_TYPE, type TemporalServerNode } from './shared/temporal-server-node';

const FIELDS = ['operation', 'source', 'since', 'until', 'crm', 'limit', 'offlineGrace', 'restart'] as const;
/** The node's settings as its dialog labels them. */
const LABELS = { operation: 'Operation', source: 'Source', since: 'Since', until: 'Until', crm: 'CRM', limit: 'Page size', offlineGrace: 'Offline grace (h)' } as const;

/**
 * The fields msg.payload overrides. A text is refused rather than passed over: "pause" from a dashboard button would
 * otherwise run the node's own operation (start) while the operator believes the backfill paused. Anything else
 * that is not an object (an Inject's timestamp) carries no overrides.
 */
function overridesOf(payload: unknown): Record<string, unknown> {
  if (typeof payload === 'string' && payload.trim() !== '') {
    throw new InputError('msg.payload', `is the text "${shortText(payload, 30)}", and only the fields of an object override the settings`, 'send an object such as {"operation": "pause"}, or a timestamp to use the node\'s settings');
  }
  const given = obj(payload) ?? {};
  refuseMisspeltOverrides(given, FIELDS);
  return given;
}

/**
 * terminal backfill (help: terminal-backfill.html): starts, reads the progress of, pauses, resumes or cancels the
 * backfill workflow of a window. The node's settings, each overridable by the same field of msg.payload.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-backfill', function TerminalBackfill(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const given = overridesOf(payload);
      const fromMsg = (f: string) => given[f] !== undefined && given[f] !== '';
      const fields = Object.fromEntries(FIELDS.map((f) => [f, fromMsg(f) ? given[f] : def[f]]));
      // A wrong value is named where it came from: the message's field, or the node's setting.
      const names = Object.fromEntries(Object.entries(LABELS).map(([f, label]) => [f, fromMsg(f) ? `msg.payload.${f}` : label]));
      // Restart is a checkbox: another value is refused, not read as off (which would join the running backfill).
      fields.restart = formCheckbox(fields.restart, fromMsg('restart') ? 'msg.payload.restart' : 'Restart');
      const request = backfillRequestOf(fields, names);
      const server = configNode<TemporalServerNode>(RED, def.server, TEMPORAL_SERVER_TYPE, 'Temporal account');
      const answer = await controlBackfill(await server.client(), server.target().taskQueue, request);
      const s = answer.status;
      const progress = s && typeof s.listed === 'number' ? `: ${s.listed} read, ${s.recorded ?? 0} recorded${s.paused ? ', paused' : ''}` : '';
      return { payload: answer, status: `${answer.operation} ${answer.workflowId} (${answer.state ?? '?'})${progress}` };
    });
  });
};
