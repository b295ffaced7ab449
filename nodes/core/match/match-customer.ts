import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm } from '../crm/crm';
import { CustomerIndex } from './customer-index';
import { decide } from './decide';
import { EXACT_KEY_CONFIDENCE } from './exact-confidence';
import { matchExact } from './exact-match';
import { resolveMatchConfig, type MatchConfig, type ResolvedMatchConfig } from './match-config';
import type { CustomerChangeSource } from './match-record';
import { keysOfEvent } from './normalize-keys';
import { normalizeRecord, recordOfEvent } from './normalized-record';

export interface MatchDeps {
  /** Answers payment-id lookups; when it can list its changes, it also feeds the match index. */
  crm?: Crm;
  /** Feeds the match index when it is not the CRM itself (a CRM adapter's contact export, a file). */
  source?: CustomerChangeSource;
  /** An index to use as it is (tests, benchmarks, the link command); otherwise one is kept per source. */
  index?: CustomerIndex;
}

const indexes = new WeakMap<object, Map<string, CustomerIndex>>();

/** The one index per data source and normalization in this process, loaded on first use. */
export function indexFor(source: CustomerChangeSource, config: MatchConfig | ResolvedMatchConfig = {}): CustomerIndex {
  const cfg = 'indexSignature' in config ? config : resolveMatchConfig(config);
  const scope = source.indexScope ?? source;
  let byConfig = indexes.get(scope);
  if (!byConfig) indexes.set(scope, (byConfig = new Map()));
  let index = byConfig.get(cfg.indexSignature);
  if (!index) {
    index = new CustomerIndex({ maxBlockSize: cfg.maxBlockSize, normalize: cfg.normalize });
    byConfig.set(cfg.indexSignature, index);
  }
  return index;
}

/**
 * Who paid: exact keys first (the same payment, the processor's customer id, email, phone, card token), then,
 * when none decides, a field-by-field comparison with the customers that share a block with the payment.
 * Returns the decision (link, review, create), a confidence, what it matched on, and why.
 */
export async function matchCustomer(event: TokenizedPaymentEvent, deps: MatchDeps, config: MatchConfig = {}): Promise<MatchResult> {
  const cfg = resolveMatchConfig(config);
  const { attach } = keysOfEvent(event, cfg.normalize.defaultRegion, cfg.emailRules);
  const paymentKey = attach[0]!;
  if (deps.crm) {
    // Events of one payment (a PaymentIntent and its charge, a refund months later) belong together.
    const [hit] = await deps.crm.findByKeys([paymentKey]);
    if (hit) {
      return {
        customerId: hit.customerId, confidence: EXACT_KEY_CONFIDENCE.paymentId, matchedOn: ['paymentId'], decision: 'link',
        explanation: `Matched ${hit.customerId} on paymentId: another event of this payment is already recorded for them.`,
        keys: attach, tier: 'exact',
      };
    }
  }
  const source = deps.source ?? (deps.crm?.customerChanges ? (deps.crm as CustomerChangeSource) : undefined);
  const index = deps.index ?? (source ? indexFor(source, cfg) : undefined);
  if (!index) {
    if (!deps.crm) throw new Error('matchCustomer needs a CRM, a customer source or an index');
    return matchExact(event, deps.crm, { defaultRegion: cfg.normalize.defaultRegion });
  }
  if (source) await index.refreshIfDue(source, cfg.refreshIntervalMs);
  const d = decide(normalizeRecord(recordOfEvent(event), cfg.normalize), index, cfg);
  return {
    customerId: d.customerId,
    confidence: d.confidence,
    matchedOn: d.matchedOn,
    decision: d.decision,
    explanation: d.explanation,
    keys: attach,
    ...(d.tier ? { tier: d.tier } : {}),
    ...(d.candidateId && d.decision !== 'link' ? { candidateId: d.candidateId } : {}),
    ...(d.evidence.length ? { evidence: d.evidence } : {}),
    ...(d.merges.length ? { merges: d.merges } : {}),
  };
}

/**
 * Loads the match index before the first payment arrives (a face calls it when its node starts), so that
 * payment does not wait for a large CRM to be read. Resolves with the number of customers indexed.
 */
export async function warmMatchIndex(crm: Crm, config: MatchConfig = {}): Promise<number> {
  if (!crm.customerChanges) return 0;
  const source = crm as CustomerChangeSource;
  const index = indexFor(source, config);
  await index.refresh(source);
  return index.size;
}
