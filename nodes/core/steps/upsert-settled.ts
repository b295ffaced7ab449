import type { Crm } from '../contracts/crm';
import type { PaymentMessage } from '../contracts/payment-message';
import { readMatch, readTokenizedEvent } from '../contracts/payment-message';
import { asError, type Settled } from './settled';
import { upsertStep } from './steps';

/** Why each item cannot go to CRM Upsert (undefined for the good ones), without writing anything. */
export function upsertItemProblems(payloads: readonly unknown[]): Array<Error | undefined> {
  return payloads.map((payload) => {
    try {
      readTokenizedEvent(payload, 'CRM Upsert');
      readMatch(payload, 'CRM Upsert');
      return undefined;
    } catch (e) {
      return asError(e);
    }
  });
}

/**
 * upsertStep (or upsertToCrmStep, given as `crm`) for engines that can route one bad item aside (n8n's "Continue On Fail"): items that are not a
 * matched, tokenized payment fail on their own, the valid ones still go to the CRM together in one batch.
 * A failure of the CRM call itself fails every item of that batch.
 */
export async function upsertStepSettled(
  payloads: readonly unknown[],
  crm: Crm | ((valid: readonly unknown[]) => Promise<PaymentMessage[]>),
): Promise<Settled<PaymentMessage>[]> {
  const write = typeof crm === 'function' ? crm : (valid: readonly unknown[]) => upsertStep(valid, crm);
  const problems = upsertItemProblems(payloads);
  const results = new Array<Settled<PaymentMessage>>(payloads.length);
  problems.forEach((error, index) => {
    if (error) results[index] = { ok: false, error };
  });
  const valid = payloads.map((payload, index) => ({ payload, index })).filter((v) => !problems[v.index]);
  if (valid.length === 0) return results;
  try {
    const out = await write(valid.map((v) => v.payload));
    valid.forEach((v, i) => (results[v.index] = { ok: true, value: out[i]! }));
  } catch (e) {
    const error = asError(e);
    for (const v of valid) results[v.index] = { ok: false, error };
  }
  return results;
}
