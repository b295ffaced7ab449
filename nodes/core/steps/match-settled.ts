import type { Crm } from '../contracts/crm';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { DEFAULT_MATCH_CONFIG, type MatchConfig } from '../match/match-config';
import { PaymentsMatcher } from '../match/match-customer';
import { readTokenizedEvent, type PaymentMessage } from '../contracts/payment-message';
import { asError, type Settled } from './settled';
import { matchInBatch } from './steps';

/**
 * Match Customer over all items of an engine's run (an n8n execution): each payment decided in order as matchStep
 * decides one, with one payment-id lookup and one match-index refresh for the batch. An item that is not a
 * tokenized payment, or whose match fails, fails alone; `stopAtFirstError` leaves the items after a failure
 * undecided (an engine that stops the run there).
 */
export async function matchStepSettled(
  payloads: readonly unknown[],
  crm: Crm,
  options: MatchConfig = DEFAULT_MATCH_CONFIG,
  { stopAtFirstError = false }: { stopAtFirstError?: boolean } = {},
): Promise<Settled<PaymentMessage>[]> {
  const results: Settled<PaymentMessage>[] = [];
  const read = payloads.map((payload): Settled<TokenizedPaymentEvent> => {
    try {
      return { ok: true, value: readTokenizedEvent(payload, 'Match Customer') };
    } catch (e) {
      return { ok: false, error: asError(e) };
    }
  });
  const valid = read.flatMap((r, index) => (r.ok ? [{ event: r.value, index }] : []));
  const matcher = new PaymentsMatcher(valid.map((v) => v.event), { crm }, options);
  let next = 0;
  for (const [index, r] of read.entries()) {
    if (!r.ok) {
      results.push(r);
    } else {
      const i = next++;
      try {
        results.push({ ok: true, value: await matchInBatch(matcher, i, r.value, crm, options) });
      } catch (e) {
        results.push({ ok: false, error: asError(e) });
      }
    }
    if (stopAtFirstError && !results[index]!.ok) break;
  }
  return results;
}
