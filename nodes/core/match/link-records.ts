import type { MatchKeyKind } from '../contracts/customer';
import { InputError } from '../errors';
import { blockingReport, type RuleReport } from './blocking-report';
import { compareRecords } from './compare';
import { CustomerIndex } from './customer-index';
import { describeEvidence, evidenceOf, priorLogOdds } from './decide';
import { describeLearnt, learnWeights, type Learnt } from './learn-weights';
import { clustersOf, oneToOne, type LinkPair } from './link-decisions';
import { resolveMatchConfig, type MatchConfig, type ResolvedMatchConfig } from './match-config';
import type { MatchRecord } from '../contracts/match-record';
import { normalizeRecord, type NormalizedRecord } from './normalized-record';
import { FIELDS, householdOnly, type ComparedField } from './weights';

export interface LinkOptions extends MatchConfig {
  /** Pairs below this confidence are not reported (default: the review threshold). */
  minConfidence?: number;
  /** Learn m/u and the share of matches from the files themselves before scoring (default true). */
  learn?: boolean;
  /**
   * Both files are known to hold each person once: each record is linked to at most one of the other file, the
   * best-scoring first (greedy by confidence); the others it matched become reviews.
   */
  oneToOne?: boolean;
  /** Learn the weights and report them, without scoring the pairs (`link --against store --learn` with no file). */
  learnOnly?: boolean;
}

export interface LinkSummary {
  left: number;
  right: number;
  pairs: number;
  links: number;
  reviews: number;
  /** The probability that two records drawn at random are one person (λ), when learnt. */
  matchProportion?: number;
  /** The same as matchProportion (its name before the estimation was made sound). */
  learnedMatchShare?: number;
  /** What was learnt (weights, passes, λ), when learning ran and its result was used. */
  learnt?: Learnt;
  /** Why learning was skipped and the built-in weights used. */
  notLearnt?: string;
  /** Candidate pairs the union of blocking rules compared. */
  candidatePairs: number;
  /** Expected matches among the candidates over expected matches among all pairs (when learnt). */
  estimatedRecall?: number;
  blocking: RuleReport[];
  /** Deduplication: groups of two or more records that are one person. */
  clusters?: number;
}

export interface LinkHooks {
  onPair(pair: LinkPair): void;
  onProgress?(done: number, total: number): void;
  /** Deduplication: the cluster of every record (the id of its first record in file order; itself when alone). */
  onCluster?(recordId: string, clusterId: string): void;
  /** The estimation and blocking diagnostic, line by line. */
  onDiagnostic?(line: string): void;
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

/** A pair's log2 odds of being one person, as the decision scores it (household agreement not counted when the given names differ). */
function pairScore(probe: NormalizedRecord, cand: NormalizedRecord, cfg: ResolvedMatchConfig, index: CustomerIndex, prior: number, levels: Int8Array): { logOdds: number; otherPerson: boolean } {
  const cmp = compareRecords(probe, cand, cfg.logWeights, cfg.weights.m, index.frequencies, levels);
  const otherPerson = householdOnly(levels);
  return { logOdds: cmp.weight - (otherPerson ? cmp.household : 0) + prior, otherPerson };
}

const posterior = (logOdds: number) => 1 / (1 + 2 ** -logOdds);

/**
 * Finds the pairs of records that are one person: within one file (`right` undefined: deduplicate, with clusters)
 * or between two (`left` against `right`, e.g. a CRM export against an old POS export or the store). Blocking
 * keeps the work per record flat; weights are learnt from the files unless told otherwise (learn-weights.ts),
 * and weights whose estimation collapsed are refused. Pairs are handed to `onPair` as they are found, so a large
 * file is never held as a list of pairs (one-to-one and clusters hold only the links).
 */
export function linkRecords(left: readonly MatchRecord[], right: readonly MatchRecord[] | undefined, options: LinkOptions, hooks: LinkHooks): LinkSummary {
  const dedupe = right === undefined;
  uniqueIds(left, dedupe ? 'the file' : 'the first file');
  if (right) uniqueIds(right, 'the second file');
  if (options.oneToOne && dedupe) throw new InputError('--one-to-one', 'needs two files', 'link one file against another with --against, or leave --one-to-one out to get clusters');
  let cfg: ResolvedMatchConfig = resolveMatchConfig(options);
  const index = new CustomerIndex({ maxBlockSize: cfg.maxBlockSize, normalize: cfg.normalize });
  const targets = right ?? left;
  const position = new Map<string, number>();
  targets.forEach((r, i) => {
    index.upsert(r);
    position.set(r.id, i);
  });
  const probes = left.map((r) => normalizeRecord(r, cfg.normalize));
  const targetRecords = dedupe ? probes : targets.map((r) => index.get(r.id)!).filter(Boolean);
  const summary: LinkSummary = { left: left.length, right: targets.length, pairs: 0, links: 0, reviews: 0, candidatePairs: 0, blocking: [] };
  const say = (line: string) => hooks.onDiagnostic?.(line);
  const random = seeded(index.size * 31 + left.length);

  let prior = priorLogOdds(cfg, index.size);
  let learnt: Learnt | undefined;
  if (options.learn !== false) {
    const l = learnWeights({ probes, targets: targetRecords, dedupe, index, cfg, random });
    for (const line of describeLearnt(l)) say(line);
    if (l.problem?.kind === 'degenerate') throw new InputError('learnt weights', `refused: ${l.problem.reason}`, l.problem.fix);
    if (l.problem) {
      summary.notLearnt = l.problem.reason;
      say(`weights not learnt (${l.problem.reason}); the built-in weights are used`);
    } else {
      learnt = l;
      cfg = resolveMatchConfig({ ...options, weights: l.weights });
      prior = Math.log2(l.lambda / (1 - l.lambda));
      summary.matchProportion = l.lambda;
      summary.learnedMatchShare = l.lambda;
      summary.learnt = l;
    }
  }
  if (options.learnOnly) {
    if (!learnt) throw new InputError('--learn', `nothing was learnt: ${summary.notLearnt ?? 'learning is off'}`, 'give more records, or map more of their columns');
    return summary;
  }
  const sample = probes.length <= 20_000 ? probes : Array.from({ length: 20_000 }, () => probes[Math.floor(random() * probes.length)]!);
  const reportLevels = new Int8Array(FIELDS.length);
  summary.blocking = blockingReport(sample, targetRecords, { dedupe, maxBlockSize: cfg.maxBlockSize, scale: probes.length / Math.max(1, sample.length) },
    (p, t) => posterior(pairScore(p, t, cfg, index, prior, reportLevels).logOdds));

  const minConfidence = options.minConfidence ?? cfg.reviewThreshold;
  const levels = new Int8Array(FIELDS.length);
  const candidates: NormalizedRecord[] = [];
  const held: LinkPair[] = [];
  const emit = (pair: LinkPair) => {
    if ((options.oneToOne || dedupe) && pair.decision === 'link') held.push(pair);
    if (!options.oneToOne || pair.decision !== 'link') send(pair);
  };
  const send = (pair: LinkPair) => {
    hooks.onPair(pair);
    summary.pairs++;
    if (pair.decision === 'link') summary.links++;
    else summary.reviews++;
  };
  let expectedFound = 0;
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
      summary.candidatePairs++;
      const { logOdds, otherPerson } = pairScore(probe, cand, cfg, index, prior, levels);
      const sharedId = probe.processorIds.some((p) => cand.processorIds.includes(p));
      let confidence = posterior(logOdds);
      expectedFound += confidence;
      if (sharedId) confidence = Math.max(confidence, 0.99);
      if (confidence < minConfidence) continue;
      const { evidence } = evidenceOf(probe, cand, index, cfg);
      const matchedOn: (MatchKeyKind | ComparedField)[] = [
        ...(sharedId ? (['processorCustomerId'] as const) : []),
        ...evidence.filter((e) => e.weight > 0 && e.outcome !== 'disagree').map((e) => e.field),
      ];
      const decision = confidence >= cfg.linkThreshold && !otherPerson ? 'link' : 'review';
      const [l, r] = dedupe ? [cand.id, probe.id] : [probe.id, cand.id];
      emit({
        left: l,
        right: r,
        confidence: Math.round(confidence * 1e6) / 1e6,
        decision,
        matchedOn,
        explanation: `${decision === 'link' ? 'Same person' : 'Possibly the same person'} (${(confidence * 100).toFixed(1)}%) — ${describeEvidence(evidence)}${otherPerson ? '; the given names differ, so what a household shares was not counted' : ''}.`,
        evidence,
      });
    }
    if (hooks.onProgress && ((i + 1) % 1000 === 0 || i + 1 === probes.length)) hooks.onProgress(i + 1, probes.length);
  });
  if (options.oneToOne) for (const pair of oneToOne(held)) send(pair);
  if (dedupe) {
    const clusters = clustersOf(left.map((r) => r.id), held);
    summary.clusters = new Set([...clusters].filter(([id, c]) => id !== c).map(([, c]) => c)).size;
    if (hooks.onCluster) for (const [id, c] of clusters) hooks.onCluster(id, c);
  }

  if (learnt) {
    const expectedAll = learnt.lambda * learnt.totalPairs;
    summary.estimatedRecall = Math.min(1, expectedFound / Math.max(expectedAll, 1e-9));
  }
  const pctOf = (x: number) => (learnt ? ` (${((Math.min(1, x / Math.max(learnt.lambda * learnt.totalPairs, 1e-9))) * 100).toFixed(1)}% of matches)` : '');
  say(`blocking: ${summary.candidatePairs} candidate pairs over the union of ${summary.blocking.length} rules${summary.estimatedRecall !== undefined ? `, estimated recall ${(summary.estimatedRecall * 100).toFixed(1)}%` : ''}`);
  for (const b of summary.blocking) say(`  ${b.rule}: ${Math.round(b.candidates)} pairs, ${b.expectedMatches.toFixed(0)} expected matches${pctOf(b.expectedMatches)}`);
  return summary;
}

