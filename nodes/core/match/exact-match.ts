import type { CountryCode } from 'libphonenumber-js';
import type { MatchKeyKind, MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm } from '../contracts/crm';
import type { CompiledEmailRules } from './email-providers';
import { EXACT_KEY_CONFIDENCE } from './exact-confidence';
import { keysOfEvent } from './normalize-keys';

export { EXACT_KEY_CONFIDENCE };
const PRECEDENCE = Object.keys(EXACT_KEY_CONFIDENCE) as MatchKeyKind[];

export interface MatchOptions {
  defaultRegion?: CountryCode;
  /** The operator's email rules (which providers ignore dots and +tags), as the index reads them. */
  emailRules?: CompiledEmailRules;
}

/**
 * Exact keys only, straight against the CRM's key lookup: for a CRM that cannot list its changes for the match
 * index. The customer owning the most specific key this event carries wins.
 */
export async function matchExact(event: TokenizedPaymentEvent, crm: Crm, options: MatchOptions = {}): Promise<MatchResult> {
  const { attach, lookup } = keysOfEvent(event, options.defaultRegion, options.emailRules);
  const hits = await crm.findByKeys(lookup);
  if (hits.length === 0) {
    const carried = [...new Set(attach.map((k) => k.kind))].join(', ');
    return {
      customerId: null,
      confidence: 0,
      matchedOn: [],
      decision: 'create',
      explanation: `No customer has any key of this payment (${carried}); a new customer will be created.`,
      keys: attach,
    };
  }
  const best = [...hits].sort((a, b) => PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind))[0]!;
  const agreeing = [...new Set(hits.filter((h) => h.customerId === best.customerId).map((h) => h.kind))];
  const conflicting = hits.filter((h) => h.customerId !== best.customerId);
  const parts = [`Matched ${best.customerId} on ${agreeing.join(', ')}.`];
  if (conflicting.length) {
    parts.push(
      `Also seen on other customers: ${conflicting.map((h) => `${h.kind} → ${h.customerId}`).join(', ')}; ${best.kind} takes precedence.`,
    );
  }
  return {
    customerId: best.customerId,
    confidence: EXACT_KEY_CONFIDENCE[best.kind],
    matchedOn: agreeing,
    decision: 'link',
    explanation: parts.join(' '),
    keys: attach,
  };
}
