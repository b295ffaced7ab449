import type { CountryCode } from 'libphonenumber-js';
import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm } from '../contracts/crm';
import type { UpsertResult } from '../contracts/payment-message';
import type { MatchConfig } from '../match/match-config';
import { matchStep, tokenizeStep, upsertStep } from '../steps/steps';
import type { KeyProvider } from '../tokenize/key-provider';

export interface PipelineContext {
  keys: KeyProvider;
  crm: Crm;
  defaultRegion?: CountryCode;
  match?: Omit<MatchConfig, 'defaultRegion'>;
}

export interface ProcessedPayment {
  event: TokenizedPaymentEvent;
  match: MatchResult;
  upsert: UpsertResult;
}

/**
 * tokenize → match → upsert for a batch of normalized events: the same step functions every face calls, in the
 * same order. Events are matched one after another so two events of one new customer in the batch find each other.
 */
export async function processPayments(events: readonly unknown[], ctx: PipelineContext): Promise<ProcessedPayment[]> {
  const out: ProcessedPayment[] = [];
  // One object for the batch: a configuration is checked and completed once per object (match-config.ts).
  const config: MatchConfig = { ...ctx.match, defaultRegion: ctx.defaultRegion };
  for (const raw of events) {
    const matched = await matchStep(tokenizeStep(raw, ctx.keys), ctx.crm, config);
    const [done] = await upsertStep([matched], ctx.crm);
    const { match, crm, ...event } = done!;
    out.push({ event: event as TokenizedPaymentEvent, match: match!, upsert: crm! });
  }
  return out;
}
