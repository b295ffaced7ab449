import { compareRecords } from './compare';
import type { CustomerIndex } from './customer-index';
import { estimateWeights, type EstimateResult } from './em';
import { EXACT_PRECEDENCE, type ResolvedMatchConfig } from './match-config';
import type { NormalizedRecord } from './normalized-record';
import { FIELDS } from './weights';

/**
 * Learns m/u weights for matching `probes` (payments, or the records of a file) against `index`, without
 * labels: candidate pairs come from the exact keys and blocks, random pairs from the index; see em.ts.
 */
export function learnWeights(
  probes: readonly NormalizedRecord[],
  index: CustomerIndex,
  cfg: ResolvedMatchConfig,
  random: () => number,
  options: { randomPairsPerProbe?: number } = {},
): EstimateResult & { pairs: number } {
  const pairs: Int8Array[] = [];
  const randomPairs: Int8Array[] = [];
  const candidates: NormalizedRecord[] = [];
  const perProbe = options.randomPairsPerProbe ?? 2;
  for (const probe of probes) {
    index.candidates(probe, candidates);
    for (const kind of EXACT_PRECEDENCE) {
      const values = kind === 'email' ? probe.emails : kind === 'phone' ? probe.phones : kind === 'cardToken' ? probe.tokens : probe.processorIds;
      for (const v of values) {
        const hit = index.findKey(kind, v);
        if (hit && !candidates.includes(hit)) candidates.push(hit);
      }
    }
    for (const rec of candidates) {
      if (rec.id === probe.id) continue;
      pairs.push(compareRecords(probe, rec, cfg.logWeights, cfg.weights.m, undefined, new Int8Array(FIELDS.length)).levels);
    }
    for (const rec of index.sample(perProbe, random)) {
      if (rec.id === probe.id) continue;
      randomPairs.push(compareRecords(probe, rec, cfg.logWeights, cfg.weights.m, undefined, new Int8Array(FIELDS.length)).levels);
    }
  }
  return { ...estimateWeights({ pairs, randomPairs }, cfg.weights), pairs: pairs.length };
}
