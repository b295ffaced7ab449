import type { SaasCrmName } from '../../core/crm/crm-names';
import type { CrmAdapter } from '../../core/crm/saas/crm-adapter';
import type { CrmRecord } from '../../core/crm/saas/crm-record-settings';
import type { RuntimeNode } from './red-api';

export const CRM_ACCOUNT_TYPE = 'crm-account';

/** A SaaS CRM's config node as the CRM nodes see it (crm-account.ts). */
export interface CrmAccountNode extends RuntimeNode {
  crmName(): SaasCrmName;
  /** The account's fields for the chosen CRM, secrets included. */
  crmRecord(): CrmRecord;
  /** One adapter per config node, so its token cache is shared by every flow node using the account. */
  adapter(): CrmAdapter;
}
