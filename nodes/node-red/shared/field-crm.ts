import { checkAccountCrm, fieldsTargetOf, type FieldSync, type FieldsTarget } from '../../core/outbox/field-updates';
import type { CrmAdapter } from '../../core/crm/saas/crm-adapter';
import { configNode } from './config-node';
import { CRM_ACCOUNT_TYPE, type CrmAccountNode } from './crm-account-node';
import type { NodeDef, NodeRedApi } from './red-api';
import { crmWaitOfNode } from './step-settings';

export interface FieldCrm {
  target: FieldsTarget;
  adapter: CrmAdapter;
  /** 0: only queue (a CRM sync sends them); always 0 for a run that waits for no CRM. */
  deadlineMs: number;
}

/**
 * The CRM choice of terminal segment and terminal loyalty enroll: undefined for the store's copy only (local);
 * else the SaaS CRM, the adapter of the picked crm-account (shared by every node using it, so one token cache and
 * one rate limit) and how long to wait for the CRM per message. `waits`: false for the batch modes (Recompute all,
 * Review program), which only queue and whose dialogs hide Wait for CRM, so a value there is no error of theirs
 * (n8n's fieldCrmOf reads it the same way).
 */
export function fieldCrmOf(RED: NodeRedApi, def: NodeDef, waits: boolean): FieldCrm | undefined {
  const target = fieldsTargetOf(def.crm, 'CRM');
  if (!target) return undefined;
  const account = configNode<CrmAccountNode>(RED, def.crmAccount, CRM_ACCOUNT_TYPE, 'CRM account');
  checkAccountCrm(target, account.crmName());
  return { target, adapter: account.adapter(), deadlineMs: crmWaitOfNode(def, waits) };
}

/** The status line's word on the CRM: "→ hubspot synced", "→ hubspot queued", … (empty for local). */
export function crmStatusOf(sync: FieldSync | undefined): string {
  return sync ? ` → ${sync.crm} ${sync.status}` : '';
}
