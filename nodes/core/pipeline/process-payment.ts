import type { CountryCode } from 'libphonenumber-js';
import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm } from '../crm/crm';
import { upsertPayments, type UpsertResult } from '../crm/upsert-payments';
import { matchExact } from '../match/exact-match';
import type { KeyProvider } from '../tokenize/key-provider';
import { tokenize } from '../tokenize/tokenize';

export interface PipelineContext {
  keys: KeyProvider;
  crm: Crm;
  defaultRegion?: CountryCode;
}

export interface ProcessedPayment {
  event: TokenizedPaymentEvent;
  match: MatchResult;
  upsert: UpsertResult;
}

/**
 * tokenize → match → upsert for a batch of normalized events, the order every face runs the steps in. Events
 * are matched one after another so that two events of one new customer in the same batch find each other.
 */
export async function processPayments(events: readonly unknown[], ctx: PipelineContext): Promise<ProcessedPayment[]> {
  const out: ProcessedPayment[] = [];
  for (const raw of events) {
    const event = tokenize(raw, ctx.keys);
    const match = await matchExact(event, ctx.crm, { defaultRegion: ctx.defaultRegion });
    const [upsert] = await upsertPayments(ctx.crm, [{ event, match }]);
    out.push({ event, match, upsert: upsert! });
  }
  return out;
}
