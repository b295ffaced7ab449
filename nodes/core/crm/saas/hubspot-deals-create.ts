import type { CrmItemResult, CrmPayment } from './crm-adapter';
import { idText, listAt, type Answer } from './answer-shape';
import { HUBSPOT_BATCH_SIZE, hubspotRequest, type HubSpotCall } from './hubspot-batch';
import { CRM } from './hubspot-errors';
import { isRecord } from '../../json/json-values';

/**
 * HubSpot's default association type from a deal to a contact (Associations v4, "Association type id values":
 * deal to contact is HUBSPOT_DEFINED 3). A custom object's types are the account's own, so only deals take this way.
 */
export const DEAL_TO_CONTACT = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 } as const;

/**
 * The deals HubSpot has never seen (no link yet) whose contact's HubSpot id is known: these can be created with
 * their association in the create request itself (`batch/create` takes `associations` per input), which spares
 * the association request an upsert needs — one request per 100 deals instead of 1.1 under the 190-per-10-s limit.
 */
export function creatableDeals(call: HubSpotCall, payments: readonly CrmPayment[]): CrmPayment[] {
  if (call.settings.payments.object !== 'deals') return [];
  return payments.filter((p) => !p.crmId && p.customerCrmId);
}

/**
 * Creates the deals in batches of 100, each with the payment key and its association to the contact. Only what
 * HubSpot answers as created gets a result (`synced`); everything else is left for the upsert way, keyed by the
 * payment key, so a deal this call did create after all (a lost answer, a retry) is found there, never doubled:
 * HubSpot refuses a second record with the same unique value. A refused input costs one more request, no more.
 * Throws what `hubspotRequest` throws (rate limit, auth, 5xx) for the caller to settle.
 */
export async function createDealsWithContact(call: HubSpotCall, deals: readonly CrmPayment[], properties: (p: CrmPayment) => Record<string, string>, results: Map<string, CrmItemResult>): Promise<void> {
  const key = call.settings.payments.idProperty;
  for (let i = 0; i < deals.length; i += HUBSPOT_BATCH_SIZE) {
    const chunk = deals.slice(i, i + HUBSPOT_BATCH_SIZE);
    const res = await hubspotRequest(call, {
      method: 'POST',
      url: '/crm/v3/objects/deals/batch/create',
      body: {
        inputs: chunk.map((p) => ({
          properties: { ...properties(p), [key]: p.externalId },
          associations: [{ to: { id: p.customerCrmId }, types: [DEAL_TO_CONTACT] }],
          objectWriteTraceId: p.externalId,
        })),
      },
    });
    if (res.status < 200 || res.status >= 300) continue;
    const sent = new Set(chunk.map((p) => p.externalId));
    const answer: Answer = { crm: CRM, vendor: 'HubSpot', req: { method: 'POST', url: '/crm/v3/objects/deals/batch/create' }, res, then: 'the payments are sent again' };
    const listed = listAt(answer, isRecord(res.body) ? res.body.results : undefined, 'a results list');
    for (const r of listed.filter(isRecord) as { id?: unknown; objectWriteTraceId?: string; properties?: Record<string, string | null> }[]) {
      const externalId = r.objectWriteTraceId ?? r.properties?.[key] ?? undefined;
      const id = idText(r.id);
      if (id && externalId && sent.has(externalId)) results.set(externalId, { externalId, status: 'synced', crmId: id });
    }
  }
}
