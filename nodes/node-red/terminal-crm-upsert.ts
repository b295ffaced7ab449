import type { CrmSync, PaymentMessage } from '../core/contracts/payment-message';
import { crmWaitMs, parseUpsertCrmName, upsertToCrmStep, type SaasCrmTarget } from '../core/steps/upsert-to-crm';
import { InputError } from '../core/errors';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import { CRM_ACCOUNT_TYPE, type CrmAccountNode } from './shared/crm-account-node';
import type { NodeDef, NodeRedApi, NodeStatus, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

function summary(results: readonly PaymentMessage[]): { status: string; fill: NodeStatus['fill'] } {
  if (results.length === 0) return { status: 'empty batch: nothing written', fill: 'green' };
  const syncs = results.map((r) => r.crm!.sync).filter((s): s is CrmSync => Boolean(s));
  if (syncs.length > 0) {
    const counts = new Map<string, number>();
    for (const s of syncs) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    const order = ['synced', 'queued', 'rejected', 'dead', 'skipped'].filter((k) => counts.has(k));
    const fill = counts.has('rejected') || counts.has('dead') ? 'red' : counts.has('queued') ? 'yellow' : 'green';
    return { status: `${syncs[0]!.crm}: ${order.map((k) => `${counts.get(k)} ${k}`).join(', ')}`, fill };
  }
  if (results.length === 1) {
    const r = results[0]!.crm!;
    return { status: `${r.outcome} ${r.eventId}${r.customerId ? ` → ${r.customerId}` : ''}`, fill: 'green' };
  }
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.crm!.outcome, (counts.get(r.crm!.outcome) ?? 0) + 1);
  return { status: `${results.length} payments: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}`, fill: 'green' };
}

/**
 * Writes the customer and the transaction to the store, and with a SaaS CRM sends them on through the store's
 * outbox (help: terminal-crm-upsert.html). Safe to repeat: a payment seen before comes out as "duplicate" and
 * changes nothing. An array in msg.payload is written, and sent, as one batch.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-crm-upsert', function TerminalCrmUpsert(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const crm = parseUpsertCrmName(def.crm, 'CRM');
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      let target: SaasCrmTarget | undefined;
      if (crm !== 'local') {
        const account = configNode<CrmAccountNode>(RED, def.account, CRM_ACCOUNT_TYPE, 'CRM account');
        const accountCrm = account.crmName();
        if (accountCrm !== crm) throw new InputError('CRM account', `the selected account is for ${accountCrm}, not ${crm}`, `pick a ${crm} account, or choose ${accountCrm} as the CRM`);
        // The adapter is built after the payments are recorded: a wrong account field leaves them queued, with why.
        target = { crm, adapter: () => account.adapter(), waitMs: crmWaitMs(def.waitSeconds, 'Wait for CRM') };
      }
      const batch = Array.isArray(payload);
      const results = await upsertToCrmStep(batch ? payload : [payload], await store.db(), target);
      return { payload: batch ? results : results[0], ...summary(results) };
    });
  });
};
