import type { Crm } from '../contracts/crm';
import { isSaasCrmName, parseCrmName } from '../crm/crm-names';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import { upsertPayments } from '../crm/upsert-payments';
import { InputError } from '../errors';
import { applyAutoMerges, identityStoreOf } from '../identity/identity-graph';
import { DEFAULT_MATCH_CONFIG, type MatchConfig } from '../match/match-config';
import { PaymentsMatcher, type MergedAway } from '../match/match-customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { openDatabase } from '../store/open-database';
import { keyProviderFromSpec, type KeyProvider } from '../tokenize/key-provider';
import { tokenize, tokenizeExact } from '../tokenize/tokenize';
import { readEvent, readMatch, readTokenizedEvent, type PaymentMessage } from '../contracts/payment-message';

/** The steps as every face calls them: message in, message out. */

export function tokenizeStep(payload: unknown, keys: KeyProvider): PaymentMessage {
  return tokenizeExact(payload, keys) ?? tokenize(readEvent(payload, 'Tokenize'), keys);
}

/**
 * Exact keys, then field-by-field comparison (match/match-customer.ts). Customers the payment shows to be one
 * person are merged here when their records agree (recorded and undoable: identity/merge-customers.ts).
 */
export async function matchStep(payload: unknown, crm: Crm, options: MatchConfig = DEFAULT_MATCH_CONFIG): Promise<PaymentMessage> {
  const event = readTokenizedEvent(payload, 'Match Customer');
  return matchInBatch(new PaymentsMatcher([event], { crm }, options), 0, event, crm, options);
}

/** The i-th payment of a batch (see PaymentsMatcher): its decision, then the merges it shows to be safe. */
export async function matchInBatch(matcher: PaymentsMatcher, i: number, event: TokenizedPaymentEvent, crm: Crm, options: MatchConfig): Promise<PaymentMessage> {
  const match = await matcher.match(i);
  const store = identityStoreOf(crm);
  if (store && options.autoMerge !== false && match.merges?.some((m) => m.auto)) {
    let made: MergedAway[] = [];
    try {
      made = await applyAutoMerges(store, match);
    } finally {
      matcher.merged(made);
    }
  }
  return { ...event, match };
}

/** Batch-first: an engine that hands over many items at once gets one round of CRM calls for all of them. */
export async function upsertStep(payloads: readonly unknown[], crm: Crm): Promise<PaymentMessage[]> {
  const batch = payloads.map((p) => ({ event: readTokenizedEvent(p, 'CRM Upsert'), match: readMatch(p, 'CRM Upsert') }));
  const results = await upsertPayments(crm, batch);
  return batch.map((b, i) => ({ ...b.event, match: b.match, crm: results[i]! }));
}

export interface CrmSettings {
  /** Which CRM the step writes to: "local" (the pack's SQL store); SaaS CRMs are reached through the outbox. */
  crm?: string;
  storeUrl?: string;
}

export async function openCrm(settings: CrmSettings): Promise<Crm> {
  const chosen = (settings.crm ?? '').trim().toLowerCase();
  if (isSaasCrmName(chosen)) {
    throw new InputError(
      'crm',
      `"${chosen}" is not written by this step: payments reach a SaaS CRM through the store's outbox (CRM Sync), within its rate limits`,
      `choose "local" here, and add a CRM Sync for ${chosen} with its CRM account`,
    );
  }
  parseCrmName(settings.crm);
  return new LocalSqlCrm(await openDatabase(settings.storeUrl));
}

export { keyProviderFromSpec };
