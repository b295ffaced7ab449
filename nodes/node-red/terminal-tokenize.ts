import { tokenizeStep } from '../core/steps/steps';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

/** Swaps the processor's card fingerprint for the pack's keyed token and drops card data the CRM must not see. */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-tokenize', function TerminalTokenize(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const out = tokenizeStep(payload, store.tokenKeys());
      const keyId = out.card?.identity?.keyId;
      return { payload: out, status: keyId ? RED._('terminal-tokenize.status.tokenized', { id: out.id, key: keyId }) : RED._('terminal-tokenize.status.noCard', { id: out.id }) };
    });
  });
};
