import { BLOCKING_RULES, ruleKeys } from './blocking';
import type { NormalizedRecord } from './normalized-record';

export interface RuleReport {
  rule: string;
  /** Candidate pairs the rule brings together, over all probes (estimated from a sample when there are many). */
  candidates: number;
  /** Expected matches among them: the sum of their match probabilities. */
  expectedMatches: number;
}

/**
 * Candidate pairs and expected matches per blocking rule, each rule on its own (the union counts a pair once).
 * `probability` scores a pair as the decision does, so a rule's expected matches over the expected number of
 * matches in all pairs is the recall it would have alone.
 */
export function blockingReport(
  sample: readonly NormalizedRecord[],
  targets: readonly NormalizedRecord[],
  options: { dedupe: boolean; maxBlockSize: number; scale: number },
  probability: (probe: NormalizedRecord, target: NormalizedRecord) => number,
): RuleReport[] {
  return BLOCKING_RULES.map((rule) => {
    const blocks = new Map<number, NormalizedRecord[]>();
    for (const t of targets) for (const k of ruleKeys(rule, t)) {
      const b = blocks.get(k);
      if (b) b.push(t);
      else blocks.set(k, [t]);
    }
    let candidates = 0;
    let expected = 0;
    const seen = new Set<NormalizedRecord>();
    for (const p of sample) {
      seen.clear();
      for (const k of ruleKeys(rule, p)) {
        const b = blocks.get(k);
        // as the index does: a block larger than this is dropped, it says too little
        if (!b || b.length > options.maxBlockSize) continue;
        for (const t of b) if (t.id !== p.id) seen.add(t);
      }
      candidates += seen.size;
      for (const t of seen) expected += probability(p, t);
    }
    const scale = options.scale / (options.dedupe ? 2 : 1);
    return { rule: rule.name, candidates: candidates * scale, expectedMatches: expected * scale };
  });
}
