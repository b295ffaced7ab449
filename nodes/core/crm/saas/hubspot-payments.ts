import { formatMoney } from '../../contracts/money';
import type { HttpResponse } from '../../http/http-transport';
import { dealClosedAt, decimalText, netPaid } from './payment-state';
import type { CrmItemResult, CrmPayment } from './crm-adapter';
import { CrmTransientError } from './crm-errors';
import { HUBSPOT_ASSOCIATIONS_PER_REQUEST, HUBSPOT_BATCH_SIZE, hubspotRequest, retryAfterPartialWrite, writeBatch, type BatchInput, type HubSpotCall } from './hubspot-batch';
import { latestPerId } from './hubspot-contacts';
import { createDealsWithContact, creatableDeals } from './hubspot-deals-create';
import { asHubSpotError, CRM, reasonOf } from './hubspot-errors';
import { idText, listAt, type Answer } from './answer-shape';
import type { HubSpotSettings, PaymentField } from './hubspot-settings';
import { isRecord } from '../../json/json-values';

/** HubSpot amounts are decimal text, never a float the pack computed. */
export const minorToDecimal = decimalText;

/** The payment's current state as deal (or custom object) properties; refunds lower `amount`, never add a record. */
export function paymentProperties(p: CrmPayment, s: HubSpotSettings): Record<string, string> {
  const net = netPaid(p);
  const values: Record<PaymentField, string | undefined> = {
    name: `Card payment ${formatMoney(p.amount)} · ${p.source} ${p.paymentId}`,
    amount: minorToDecimal(net),
    currency: p.amount.currency,
    // A deal's closedate is when it reached its stage: for one lost to a full refund, the refund's time.
    occurredAt: s.payments.object === 'deals' && s.payments.fields.occurredAt === 'closedate' ? (dealClosedAt(p) ?? p.occurredAt) : p.occurredAt,
    status: p.status,
    refunded: minorToDecimal(p.refunded),
    grossAmount: minorToDecimal(p.amount),
    source: p.source,
    paymentId: p.paymentId,
    cardBrand: p.card?.brand,
    cardLast4: p.card?.last4,
    entryMode: p.card?.entryMode,
    wallet: p.card?.wallet,
    readerId: p.terminal?.readerId,
    locationId: p.terminal?.locationId,
  };
  const out: Record<string, string> = {};
  for (const [field, property] of Object.entries(s.payments.fields) as [PaymentField, string | null][]) {
    const value = values[field];
    if (property && value !== undefined && value !== '') out[property] = value;
  }
  if (s.payments.object === 'deals') {
    // A deal needs a pipeline and a stage to exist; the stage follows the payment (won, lost after a full refund).
    out.pipeline = s.payments.pipeline;
    out.dealstage = s.payments.stages[p.status];
  }
  return out;
}

/**
 * Writes each payment as its deal (or custom object) associated to its contact. A deal HubSpot has never seen whose
 * contact is known is created with the association in one request (hubspot-deals-create.ts). The rest — updates,
 * custom objects, contacts not yet known, and anything the create refused — are upserted by the payment key, then
 * associated with HubSpot's default association type (v4). Associating again is harmless, so an update runs it too
 * and repairs an association someone removed. A payment whose contact HubSpot does not have yet is `retry`: the
 * deal is already written and the next attempt only adds the association.
 */
export async function upsertPayments(call: HubSpotCall, batch: readonly CrmPayment[]): Promise<CrmItemResult[]> {
  const s = call.settings;
  const payments = latestPerId(batch, (p) => p.externalId);
  const results = new Map<string, CrmItemResult>();
  try {
    await createDealsWithContact(call, creatableDeals(call, payments), (p) => paymentProperties(p, s), results);
    const rest = await upsertThenAssociate(call, payments.filter((p) => !results.has(p.externalId)));
    for (const [id, r] of rest) results.set(id, r);
  } catch (e) {
    // Deals created before the failure keep their result; the rest go again.
    const error = retryAfterPartialWrite(e, results.size > 0);
    for (const p of payments) if (!results.has(p.externalId)) results.set(p.externalId, { externalId: p.externalId, status: 'retry', error });
  }
  return batch.map((p) => results.get(p.externalId) ?? retry(p.externalId, 'no result was produced for this record'));
}

async function upsertThenAssociate(call: HubSpotCall, payments: readonly CrmPayment[]): Promise<Map<string, CrmItemResult>> {
  const s = call.settings;
  if (payments.length === 0) return new Map();
  const inputs: BatchInput[] = payments.map((p) => ({ externalId: p.externalId, body: { id: p.externalId, idProperty: s.payments.idProperty, properties: paymentProperties(p, s) } }));
  const target = {
    path: `/crm/v3/objects/${s.payments.object}/batch/upsert`,
    objectLabel: s.payments.object === 'deals' ? 'deal' : `${s.payments.object} object`,
    idProperty: { name: s.payments.idProperty, setting: 'hubspot.payments.idProperty (HUBSPOT_PAYMENT_ID_PROPERTY)' },
    mappingSetting: 'hubspot.payments.fields (HUBSPOT_PAYMENT_FIELDS)',
  };
  const results = await writeBatch(call, target, inputs);

  const written = payments.filter((p) => results.get(p.externalId)?.status === 'synced');
  let contactIds: Map<string, string>;
  try {
    contactIds = await contactIdsFor(call, written);
  } catch (e) {
    const error = retryAfterPartialWrite(e, written.length > 0);
    for (const p of written) results.set(p.externalId, { externalId: p.externalId, status: 'retry', error });
    return results;
  }
  const links: { payment: CrmPayment; recordId: string; contactId: string }[] = [];
  for (const p of written) {
    const contactId = contactIds.get(p.customerExternalId);
    if (!contactId) {
      const why = s.contactIdProperty === 'email'
        ? `the HubSpot id of customer ${p.customerExternalId}'s contact is not known (contacts are matched by email, so it comes from the link table)`
        : `customer ${p.customerExternalId} is not in HubSpot yet`;
      results.set(p.externalId, retry(p.externalId, `${why}; the ${target.objectLabel} is written and is associated when retried`));
      continue;
    }
    links.push({ payment: p, recordId: (results.get(p.externalId) as { crmId: string }).crmId, contactId });
  }
  await associate(call, links, results);
  return results;
}

/** HubSpot ids of the payments' contacts: the link table's when known, else one batch read by the customer-id property. */
async function contactIdsFor(call: HubSpotCall, payments: readonly CrmPayment[]): Promise<Map<string, string>> {
  const s = call.settings;
  const ids = new Map<string, string>();
  for (const p of payments) if (p.customerCrmId) ids.set(p.customerExternalId, p.customerCrmId);
  if (s.contactIdProperty === 'email') return ids;
  const unknown = [...new Set(payments.filter((p) => !ids.has(p.customerExternalId)).map((p) => p.customerExternalId))];
  for (let i = 0; i < unknown.length; i += HUBSPOT_BATCH_SIZE) {
    const res = await hubspotRequest(call, {
      method: 'POST',
      url: '/crm/v3/objects/contacts/batch/read',
      // propertiesWithHistory is required by HubSpot's spec (BatchReadInputSimplePublicObjectId), even when empty.
      body: { idProperty: s.contactIdProperty, properties: [s.contactIdProperty], propertiesWithHistory: [], inputs: unknown.slice(i, i + HUBSPOT_BATCH_SIZE).map((id) => ({ id })) },
    });
    // 207 lists the ones not found in `errors` (OBJECT_NOT_FOUND); those stay unknown and their payments retry.
    if (res.status >= 300) throw new CrmTransientError(CRM, `reading contacts by ${s.contactIdProperty} answered ${res.status}: ${reasonOf(asHubSpotError(res.body))}`);
    const answer: Answer = { crm: CRM, vendor: 'HubSpot', req: { method: 'POST', url: '/crm/v3/objects/contacts/batch/read' }, res, then: 'the payments are sent again' };
    const listed = listAt(answer, isRecord(res.body) ? res.body.results : undefined, 'a results list');
    for (const r of listed.filter(isRecord) as { id?: unknown; properties?: Record<string, string | null> }[]) {
      const external = r.properties?.[s.contactIdProperty];
      const id = idText(r.id);
      if (typeof external === 'string' && external && id) ids.set(external, id);
    }
  }
  return ids;
}

type Link = { payment: CrmPayment; recordId: string; contactId: string };

async function associate(call: HubSpotCall, links: readonly Link[], results: Map<string, CrmItemResult>): Promise<void> {
  const chunks: Link[][] = [];
  for (let i = 0; i < links.length; i += HUBSPOT_ASSOCIATIONS_PER_REQUEST) chunks.push(links.slice(i, i + HUBSPOT_ASSOCIATIONS_PER_REQUEST));
  const url = `/crm/v4/associations/${call.settings.payments.object}/contacts/batch/associate/default`;
  // The records are written; only the associations not yet made wait for the next attempt.
  const retryTheRest = (chunk: readonly Link[], e: unknown) => {
    const error = retryAfterPartialWrite(e, true);
    for (const l of [chunk, ...chunks].flat()) results.set(l.payment.externalId, { externalId: l.payment.externalId, status: 'retry', error });
  };
  while (chunks.length) {
    const chunk = chunks.shift()!;
    let res: HttpResponse;
    try {
      res = await hubspotRequest(call, { method: 'POST', url, body: { inputs: chunk.map((l) => ({ from: { id: l.recordId }, to: { id: l.contactId } })) } });
    } catch (e) {
      retryTheRest(chunk, e);
      return;
    }
    // HubSpot documents this endpoint's answer with per-input errors, not whether one bad pair (a contact deleted
    // in HubSpot) can refuse the whole request instead. Should it, the halves go again at once, down to that pair,
    // so one pair never holds back the thousand written beside it.
    if (res.status >= 400 && res.status < 500 && chunk.length > 1 && asHubSpotError(res.body).category === 'VALIDATION_ERROR') {
      const half = Math.ceil(chunk.length / 2);
      chunks.unshift(chunk.slice(0, half), chunk.slice(half));
      continue;
    }
    const done = new Set<string>();
    if (res.status >= 200 && res.status < 300) {
      const answer: Answer = { crm: CRM, vendor: 'HubSpot', req: { method: 'POST', url }, res, then: 'the associations are sent again' };
      try {
        const listed = listAt(answer, isRecord(res.body) ? res.body.results : undefined, 'a results list');
        for (const r of listed.filter(isRecord) as { from?: { id?: string }; to?: { id?: string } }[]) done.add(`${r.from?.id}>${r.to?.id}`);
      } catch (e) {
        // An answer that is not the documented one: as after a failed request.
        retryTheRest(chunk, e);
        return;
      }
    }
    // A 2xx lists the pairs it refused in `errors` (numErrors), each with HubSpot's message.
    const why = res.status >= 300 || asHubSpotError(res.body).errors?.length ? reasonOf(asHubSpotError(res.body)) : 'HubSpot did not confirm the association';
    for (const l of chunk) {
      if (!done.has(`${l.recordId}>${l.contactId}`)) results.set(l.payment.externalId, retry(l.payment.externalId, `associating record ${l.recordId} with contact ${l.contactId}: ${why}`));
    }
  }
}

function retry(externalId: string, message: string): CrmItemResult {
  return { externalId, status: 'retry', error: new CrmTransientError(CRM, `${externalId}: ${message}`) };
}
