import { parseCrmName } from '../core/crm/crm-names';
import type { PaymentMessage } from '../core/steps/payment-message';
import { upsertStep } from '../core/steps/steps';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

function summary(results: readonly PaymentMessage[]): string {
  if (results.length === 0) return 'empty batch: nothing written';
  if (results.length === 1) {
    const r = results[0]!.crm!;
    return `${r.outcome} ${r.eventId}${r.customerId ? ` → ${r.customerId}` : ''}`;
  }
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.crm!.outcome, (counts.get(r.crm!.outcome) ?? 0) + 1);
  return `${results.length} payments: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}`;
}

/**
 * Writes the customer and the transaction. Safe to repeat: a payment seen before comes out as "duplicate"
 * and changes nothing. An array in msg.payload is written as one batch.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-crm-upsert', function TerminalCrmUpsert(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const crmName = parseCrmName(typeof def.crm === 'string' ? def.crm : undefined, 'CRM');
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const batch = Array.isArray(payload);
      const results = await upsertStep(batch ? payload : [payload], await store.crm(crmName));
      return { payload: batch ? results : results[0], status: summary(results) };
    });
  });
};
