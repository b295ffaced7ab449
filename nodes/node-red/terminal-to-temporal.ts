import { handToTemporal, paymentEventOfItem } from '../../temporal/hand-to-temporal';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';
import { TEMPORAL_SERVER_TYPE, type TemporalServerNode } from './shared/temporal-server-node';

/**
 * terminal to temporal (help: terminal-to-temporal.html): msg.payload, a payment event raw or tokenized, goes to
 * its payment saga by signal-with-start; the message leaves at once with the workflow id.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-to-temporal', function TerminalToTemporal(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const event = paymentEventOfItem(payload, 'msg.payload'); // a bad message fails before any connection
      const server = configNode<TemporalServerNode>(RED, def.server, TEMPORAL_SERVER_TYPE, 'Temporal account');
      const handed = await handToTemporal(await server.client(), server.target().taskQueue, event, 'msg.payload');
      return { payload: handed, status: `${handed.eventId} → ${handed.workflowId}` };
    });
  });
};
