import type { FieldEvidence, MatchField, MatchKeyKind } from '../contracts/customer';
import { InputError } from '../errors';
import { compareRecords } from './compare';
import { CustomerIndex } from './customer-index';
import { describeEvidence, evidenceOf, priorLogOdds } from './decide';
import { learnWeights } from './learn-weights';
import { resolveMatchConfig, type MatchConfig, type ResolvedMatchConfig } from './match-config';
import type { MatchRecord } from './match-record';
import { normalizeRecord, type NormalizedRecord } from './normalized-record';
import { differs, F, FIELDS } from './weights';

export interface LinkOptions extends MatchConfig {
  /** Pairs below this confidence are not reported (default: the review threshold). */
  minConfidence?: number;
  /** Learn m/u and the share of matches from the files themselves before scoring (default true). */
  learn?: boolean;
}

export interface LinkPair {
  left: string;
  right: string;
  confidence: number;
  decision: 'link' | 'review';
  matchedOn: (MatchKeyKind | MatchField)[];
  explanation: string;
  evidence: FieldEvidence[];
}

export interface LinkSummary {
  left: number;
  right: number;
  pairs: number;
  links: number;
  reviews: number;
  /** What EM learnt, when it ran: the share of candidate pairs that are matches. */
  learnedMatchShare?: number;
}

export interface LinkHooks {
  onPair(pair: LinkPair): void;
  onProgress?(done: number, total: number): void;
}

/** A deterministic generator for EM's random pairs: the same file gives the same output every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniqueIds(records: readonly MatchRecord[], where: string): void {
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) throw new InputError('--id', `${where} has the id "${r.id}" more than once`, 'pick an id column whose values are unique, or leave --id out to use row numbers');
    seen.add(r.id);
  }
}

/**
 * Finds the pairs of records that are one person: within one file (`right` undefined: deduplicate) or between
 * two (`left` against `right`, e.g. a CRM export against an old POS export or the store). Blocking keeps the
 * work per record flat; weights are learnt from the files unless told otherwise. Pairs are handed to `onPair`
 * as they are found, so a large file is never held as a list of pairs.
 */
export function linkRecords(left: readonly MatchRecord[], right: readonly MatchRecord[] | undefined, options: LinkOptions, hooks: LinkHooks): LinkSummary {
  const dedupe = right === undefined;
  uniqueIds(left, dedupe ? 'the file' : 'the first file');
  if (right) uniqueIds(right, 'the second file');
  let cfg: ResolvedMatchConfig = resolveMatchConfig(options);
  const index = new CustomerIndex({ maxBlockSize: cfg.maxBlockSize, normalize: cfg.normalize });
  const targets = right ?? left;
  const position = new Map<string, number>();
  targets.forEach((r, i) => {
    index.upsert(r);
    position.set(r.id, i);
  });
  const probes = left.map((r) => normalizeRecord(r, cfg.normalize));
  const summary: LinkSummary = { left: left.length, right: targets.length, pairs: 0, links: 0, reviews: 0 };

  let prior = priorLogOdds(cfg, index.size);
  if (options.learn !== false && index.size >= 50) {
    const random = seeded(index.size * 31 + left.length);
    const sample = probes.length <= 20_000 ? probes : Array.from({ length: 20_000 }, () => probes[Math.floor(random() * probes.length)]!);
    const learned = learnWeights(sample, index, cfg, random);
    cfg = resolveMatchConfig({ ...options, weights: learned.weights });
    // EM's match share is the probability that a candidate pair is a match: the prior for exactly these pairs.
    const share = Math.min(0.999, Math.max(1e-6, learned.matchShare));
    prior = Math.log2(share / (1 - share));
    summary.learnedMatchShare = learned.matchShare;
  }
  const minConfidence = options.minConfidence ?? cfg.reviewThreshold;
  const levels = new Int8Array(FIELDS.length);
  const candidates: NormalizedRecord[] = [];
  probes.forEach((probe, i) => {
    index.candidates(probe, candidates);
    for (const kind of ['email', 'phone', 'cardToken', 'processorCustomerId'] as const) {
      const values = kind === 'email' ? probe.emails : kind === 'phone' ? probe.phones : kind === 'cardToken' ? probe.tokens : probe.processorIds;
      for (const v of values) {
        const holder = index.findKey(kind, v);
        if (holder && !candidates.includes(holder)) candidates.push(holder);
      }
    }
    for (const cand of candidates) {
      // within one file each pair is reported once, from its later record
      if (dedupe && (cand.id === probe.id || position.get(cand.id)! >= i)) continue;
      const cmp = compareRecords(probe, cand, cfg.logWeights, cfg.weights.m, index.frequencies, levels);
      const otherPerson = differs(levels, F.given);
      const logOdds = cmp.weight - (otherPerson ? cmp.household : 0) + prior;
      const sharedId = probe.processorIds.some((p) => cand.processorIds.includes(p));
      let confidence = 1 / (1 + 2 ** -logOdds);
      if (sharedId) confidence = Math.max(confidence, 0.99);
      if (confidence < minConfidence) continue;
      const { evidence } = evidenceOf(probe, cand, index, cfg);
      const matchedOn: (MatchKeyKind | MatchField)[] = [
        ...(sharedId ? (['processorCustomerId'] as const) : []),
        ...evidence.filter((e) => e.weight > 0 && e.outcome !== 'disagree').map((e) => e.field),
      ];
      const decision = confidence >= cfg.linkThreshold && !otherPerson ? 'link' : 'review';
      const [l, r] = dedupe ? [cand.id, probe.id] : [probe.id, cand.id];
      hooks.onPair({
        left: l,
        right: r,
        confidence: Math.round(confidence * 1e6) / 1e6,
        decision,
        matchedOn,
        explanation: `${decision === 'link' ? 'Same person' : 'Possibly the same person'} (${(confidence * 100).toFixed(1)}%) — ${describeEvidence(evidence)}${otherPerson ? '; the given names differ, so what a household shares was not counted' : ''}.`,
        evidence,
      });
      summary.pairs++;
      if (decision === 'link') summary.links++;
      else summary.reviews++;
    }
    if (hooks.onProgress && ((i + 1) % 1000 === 0 || i + 1 === probes.length)) hooks.onProgress(i + 1, probes.length);
  });
  return summary;
}
