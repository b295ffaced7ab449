import type { IDataObject, IExecuteFunctions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { checkAccountCrm, fieldsTargetOf, flushDeadlineMs, flushResultsFields, MAX_FLUSH_SECONDS, type FieldSync, type FieldsTarget } from '../../core/outbox/field-updates';
import type { SqlDatabase } from '../../core/store/sql-database';
import type { CrmAdapter } from '../../core/crm/saas/crm-adapter';
import { crmAccountTest } from '../shared/crm-account-test';
import { CRM_CREDENTIALS, crmAdapterFromNode, crmCredentialOf, HUBSPOT_AUTHENTICATION } from '../shared/crm-credentials';

/**
 * The CRM choice of the nodes that write fields on a customer (Segment, Loyalty Enroll): the store's copy only
 * (Local), or also a SaaS CRM through the outbox, with that CRM's credential and how long to wait for it.
 */
export const FIELD_CRM_CREDENTIALS: INodeCredentialDescription[] = CRM_CREDENTIALS.map((c) => ({
  name: c.type,
  required: true,
  ...(c.crm === 'salesforce' ? { testedBy: 'terminalSalesforceApiTest' } : {}),
  displayOptions: { show: { crm: [c.crm], ...(c.authentication ? { authentication: [c.authentication] } : {}) } },
}));

export const fieldCrmCredentialTests = { terminalSalesforceApiTest: crmAccountTest('salesforce') };

/** `waitShow`: where "Wait for CRM" applies (the per-payment operation; batch runs only queue). */
export function fieldCrmProperties(waitShow: Record<string, string[]>): INodeProperties[] {
  return [
    {
      displayName: 'CRM',
      name: 'crm',
      type: 'options',
      noDataExpression: true,
      options: [
        { name: 'Dynamics 365', value: 'dynamics' },
        { name: 'HubSpot', value: 'hubspot' },
        { name: 'Local SQL Store', value: 'local', description: "The store's own customer fields only" },
        { name: 'Pipedrive', value: 'pipedrive' },
        { name: 'Salesforce', value: 'salesforce' },
        { name: 'Zoho CRM', value: 'zoho' },
      ],
      default: 'local',
      description:
        "Where the fields go besides the store's own copy. A SaaS CRM gets them through the store's outbox (one pending update per customer, latest values win); use the same CRM as in CRM Upsert.",
    },
    HUBSPOT_AUTHENTICATION,
    {
      displayName: 'Wait for CRM (Seconds)',
      name: 'waitForCrmSeconds',
      type: 'number',
      typeOptions: { minValue: 0, maxValue: MAX_FLUSH_SECONDS },
      default: 10,
      description:
        'Send the queued fields at once and wait up to this long for the CRM; each item then says synced, rejected (with the reason), queued, or dead (given up after its retries). 0: only queue them for a CRM Sync run.',
      displayOptions: { show: { ...waitShow, crm: ['dynamics', 'hubspot', 'pipedrive', 'salesforce', 'zoho'] } },
    },
  ];
}

export interface FieldCrm {
  target: FieldsTarget;
  adapter: CrmAdapter;
  deadlineMs: number;
}

/** The node's CRM choice: undefined for Local; else the target, the adapter over its credential, the wait. */
export async function fieldCrmOf(ctx: IExecuteFunctions, withWait: boolean): Promise<FieldCrm | undefined> {
  const target = fieldsTargetOf(ctx.getNodeParameter('crm', 0, 'local'), 'CRM');
  if (!target) return undefined;
  const credential = crmCredentialOf(target.crm, ctx.getNodeParameter('authentication', 0, 'accessToken'));
  const adapter = await crmAdapterFromNode(ctx, credential);
  checkAccountCrm(target, adapter.name);
  const deadlineMs = withWait ? flushDeadlineMs(ctx.getNodeParameter('waitForCrmSeconds', 0, 10), 'Wait for CRM (Seconds)') : 0;
  return { target, adapter, deadlineMs };
}

/**
 * One flush for all items of a run (batch-first): the `crmSync` of each item's step result (segment, loyalty) is
 * replaced by what the CRM answered within the wait. A CRM that cannot be reached leaves them queued, never fails
 * the items: their local state is kept and the next CRM Sync sends them.
 */
export async function flushItemFields(crm: FieldCrm & { db: SqlDatabase }, results: readonly (IDataObject | undefined)[]): Promise<void> {
  if (crm.deadlineMs <= 0) return;
  const steps = results.map((r) => (r && typeof r === 'object' ? (r as { crmSync?: FieldSync }) : undefined));
  await flushResultsFields({ db: crm.db, adapter: crm.adapter }, steps, crm.deadlineMs);
}
