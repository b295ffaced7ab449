import { withCrmAlertMessage } from '../core/messages/crm-alert-message';
import { crmSyncLimits, crmSyncStatusText, runCrmSync } from '../core/outbox/sync-run';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import { CRM_ACCOUNT_TYPE, type CrmAccountNode } from './shared/crm-account-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

/**
 * CRM Sync (help: terminal-crm-sync.html): any message starts one run that sends what waits in the store's outbox
 * to the account's CRM; put an inject node on an interval in front of it. Output 1 gets the run's summary, output
 * 2 one message per record given up on (with the CRM's reason, and payload.message worded for terminal send
 * message). Runs started while one is under way are safe (claims are leased) but only share the CRM's budget.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-crm-sync', function TerminalCrmSync(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    this.status({ fill: 'grey', shape: 'ring', text: RED._('terminal-crm-sync.status.idle') });
    handleInput(
      this,
      async () => {
        const limits = crmSyncLimits({ maxBatches: def.maxBatches, deadlineSeconds: def.deadline }, { maxBatches: 'Max batches', deadlineSeconds: 'Deadline' });
        const account = configNode<CrmAccountNode>(RED, def.account, CRM_ACCOUNT_TYPE, 'CRM account');
        const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
        const { summary, alerts } = await runCrmSync(await store.db(), account.adapter(), limits, 'CRM account');
        for (const note of summary.notes ?? []) this.warn(RED._('terminal-crm-sync.warn.note', { crm: summary.crm, note }));
        const trouble = summary.dead > 0 || summary.rejected > 0 || summary.stop !== undefined;
        return { payload: summary, derived: alerts.map(withCrmAlertMessage), derivedOutput: 1, status: crmSyncStatusText(summary), ...(trouble ? { fill: 'yellow' as const } : {}) };
      },
      2,
    );
  });
};
