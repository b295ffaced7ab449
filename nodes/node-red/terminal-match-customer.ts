import type { MatchResult } from '../core/contracts/customer';
import { matchStep } from '../core/steps/steps';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

function statusOf(m: MatchResult): { status: string; fill: 'green' | 'yellow' } {
  const pct = `${Math.round(m.confidence * 100)}%`;
  if (m.decision === 'link') return { status: `link ${m.customerId} (${m.matchedOn.join(', ') || pct})`, fill: 'green' };
  if (m.decision === 'review') return { status: `review: maybe ${m.candidateId ?? 'a known customer'} (${pct})`, fill: 'yellow' };
  return { status: 'create: new customer', fill: 'green' };
}

/** Finds the customer a payment belongs to; the decision and its reasons travel on as msg.payload.match. */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-match-customer', function TerminalMatchCustomer(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const out = await matchStep(payload, await store.crm('local'), { defaultRegion: store.defaultRegion() });
      return { payload: out, ...statusOf(out.match!) };
    });
  });
};
