import type { MatchDecision, MatchKeyKind, MergeProposal } from '../contracts/customer';
import { ADDRESS_SAME_POSTAL, compareRecords, emailSaysNoMore } from './compare';
import type { CustomerIndex } from './customer-index';
import { EXACT_KEY_CONFIDENCE } from './exact-confidence';
import type { ExactKind, ResolvedMatchConfig } from './match-config';
import type { NormalizedRecord } from './normalized-record';
import { differs, F, FIELDS, householdOnly, MISSING, type ComparedField, type MatchEvidence } from './weights';

export interface Decision {
  decision: MatchDecision;
  /** Set for link only. */
  customerId: string | null;
  /** The best candidate, also when the decision is review or create. */
  candidateId?: string;
  confidence: number;
  tier?: 'exact' | 'probabilistic';
  matchedOn: (MatchKeyKind | ComparedField)[];
  evidence: MatchEvidence[];
  explanation: string;
  merges: MergeProposal[];
}

const scratchLevels = new Int8Array(FIELDS.length);
const scratchCandidates: NormalizedRecord[] = [];

/** Prior log2 odds that a given indexed customer is the payer: known payers spread over every customer. */
export function priorLogOdds(cfg: ResolvedMatchConfig, indexSize: number): number {
  const p = cfg.priorReturning / Math.max(1, indexSize);
  return Math.log2(p / (1 - p));
}

const posterior = (logOdds: number) => 1 / (1 + 2 ** -logOdds);

function keysOfProbe(probe: NormalizedRecord, kind: ExactKind): readonly string[] {
  switch (kind) {
    case 'processorCustomerId': return probe.processorIds;
    case 'email': return probe.emails;
    case 'phone': return probe.phones;
    case 'cardToken': return probe.tokens;
  }
}

/**
 * Evidence that the payer is someone else than the customer an exact key points to: a different given name,
 * a different date of birth, or, for keys a household shares (a phone, a card), a different email address.
 */
function contradiction(levels: Int8Array, kind: ExactKind): string | undefined {
  if (differs(levels, F.given)) return 'the given name is different';
  if (differs(levels, F.dob)) return 'the date of birth is different';
  if (differs(levels, F.id)) return 'the identifier is different';
  if ((kind === 'phone' || kind === 'cardToken') && differs(levels, F.email)) return 'the email address is different';
  return undefined;
}

/** Two customers that agree on nothing that sets people apart may be merged without asking. */
function compatible(levels: Int8Array): boolean {
  return !differs(levels, F.given) && !differs(levels, F.family) && !differs(levels, F.dob) && !differs(levels, F.email) && !differs(levels, F.phone) && !differs(levels, F.id);
}

/** Per-field evidence of a comparison, for the explanation; `done` is a comparison of a and b already made. */
export function evidenceOf(
  a: NormalizedRecord,
  b: NormalizedRecord,
  index: CustomerIndex,
  cfg: ResolvedMatchConfig,
  done?: { levels: Int8Array; weight: number; swapped: boolean },
): { evidence: MatchEvidence[]; weight: number; swapped: boolean } {
  const cmp = done ?? compareRecords(a, b, cfg.logWeights, cfg.weights.m, index.frequencies, new Int8Array(FIELDS.length));
  const evidence: MatchEvidence[] = [];
  FIELDS.forEach((spec, i) => {
    const level = cmp.levels[i]!;
    if (level === MISSING) return;
    const single = compareSingleWeight(a, b, i, level, index, cfg, cmp.levels);
    const l = spec.levels[level]!;
    const name = (i === F.given || i === F.family) && cmp.swapped ? `${l.name} (given and family name swapped)` : l.name;
    evidence.push({ field: spec.field, outcome: l.outcome, level: name, weight: Math.round(single * 100) / 100 });
  });
  evidence.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
  return { evidence, weight: cmp.weight, swapped: cmp.swapped };
}

/** The weight one field contributed, with the same term-frequency adjustment compareRecords applies. */
function compareSingleWeight(a: NormalizedRecord, b: NormalizedRecord, field: number, level: number, index: CustomerIndex, cfg: ResolvedMatchConfig, levels: Int8Array): number {
  if (field === F.email && emailSaysNoMore(levels, a, b)) return 0;
  const m = cfg.weights.m[field]![level]!;
  const tf = index.frequencies;
  let u: number | undefined;
  if (field === F.given && level === 0) u = tf.given(b.given!);
  else if (field === F.family && level === 0) u = tf.family(b.family!);
  else if (field === F.address && level === ADDRESS_SAME_POSTAL && b.postal) u = tf.postal(b.postal);
  else if (field === F.id && level === 0) u = tf.idNumber?.(b.idNumber!);
  else if (field === F.email && level === 0 && tf.email) {
    const shared = a.emails.find((e) => b.emails.includes(e));
    if (shared) u = tf.email(shared);
  }
  return u !== undefined && u > 0 ? Math.log2(m / u) : cfg.logWeights[field]![level]!;
}

const fmt = (w: number) => `${w >= 0 ? '+' : '−'}${Math.abs(w).toFixed(1)}`;

export function describeEvidence(evidence: readonly MatchEvidence[]): string {
  const agree = evidence.filter((e) => e.weight > 0).map((e) => `${e.field} ${e.level} (${fmt(e.weight)})`);
  const against = evidence.filter((e) => e.weight <= 0).map((e) => `${e.field} ${e.level} (${fmt(e.weight)})`);
  const parts: string[] = [];
  if (agree.length) parts.push(`for: ${agree.join(', ')}`);
  if (against.length) parts.push(`against: ${against.join(', ')}`);
  return parts.length ? parts.join('; ') : 'no field to compare';
}

const pct = (p: number) => `${(p * 100).toFixed(p > 0.995 && p < 1 ? 1 : 0)}%`;

interface Hit {
  kind: ExactKind;
  rec: NormalizedRecord;
  weight: number;
  levels: Int8Array;
  swapped: boolean;
  contradiction?: string;
}

function addHit(hits: Hit[], kind: ExactKind, rec: NormalizedRecord, probe: NormalizedRecord, index: CustomerIndex, cfg: ResolvedMatchConfig): void {
  if (hits.some((h) => h.kind === kind && h.rec === rec)) return;
  const same = hits.find((h) => h.rec === rec);
  const cmp = same ?? compareRecords(probe, rec, cfg.logWeights, cfg.weights.m, index.frequencies, new Int8Array(FIELDS.length));
  // The processor's own customer id is the processor's identity of the payer: nothing outranks it.
  const why = kind === 'processorCustomerId' ? undefined : contradiction(cmp.levels, kind);
  hits.push({ kind, rec, weight: cmp.weight, levels: cmp.levels, swapped: cmp.swapped, ...(why ? { contradiction: why } : {}) });
}

interface Scored {
  rec: NormalizedRecord;
  logOdds: number;
  p: number;
  capped?: string;
  /** Its comparison with the payment, kept so the explanation does not compare the two again. */
  done: { levels: Int8Array; weight: number; swapped: boolean };
}

/**
 * Decides who a payment (or an imported record) belongs to: exact keys first, then field-by-field comparison
 * against the customers sharing a block with it. Synchronous and allocation-light, because it runs per payment.
 */
export function decide(probe: NormalizedRecord, index: CustomerIndex, cfg: ResolvedMatchConfig, excludeId?: string): Decision {
  // Exact tier: every customer an exact key of this payment points to. A phone or an email can sit on several
  // records of a CRM (a household's landline); the customers sharing a block with the payment are checked for it.
  const hits: Hit[] = [];
  for (const kind of cfg.exactKeys) {
    for (const v of keysOfProbe(probe, kind)) {
      const rec = index.findKey(kind, v);
      if (!rec || rec.id === excludeId) continue;
      addHit(hits, kind, rec, probe, index, cfg);
      if (kind === 'phone' || kind === 'email') {
        for (const c of index.holdersOf(kind, v)) if (c !== rec && c.id !== excludeId) addHit(hits, kind, c, probe, index, cfg);
      }
    }
  }
  const contradicted = new Map<NormalizedRecord, string>();
  for (const h of hits) if (h.contradiction && !contradicted.has(h.rec)) contradicted.set(h.rec, `${h.kind} points to ${h.rec.id}, but ${h.contradiction}`);
  let chosen: Hit | undefined;
  for (const kind of cfg.exactKeys) {
    for (const h of hits) if (h.kind === kind && !h.contradiction && (!chosen || h.weight > chosen.weight)) chosen = h;
    if (chosen) break;
  }
  if (chosen) {
    const rival = rivalOf(chosen, hits, index, cfg);
    if (rival) return tiedDecision(probe, chosen, rival, index, cfg);
    for (const h of hits) if (h.rec === chosen.rec) contradicted.delete(h.rec);
    return exactDecision(probe, chosen, hits, contradicted, index, cfg);
  }

  const prior = priorLogOdds(cfg, index.size);
  if (!cfg.probabilistic) {
    const note = contradicted.size ? ` ${[...contradicted.values()].join('; ')}.` : '';
    return create(hits.length ? 'No exact key of this payment belongs to a customer it agrees with.' + note : 'No customer has any exact key of this payment.');
  }

  // Probabilistic tier.
  const candidates = index.candidates(probe, scratchCandidates);
  for (const rec of contradicted.keys()) if (!candidates.includes(rec)) candidates.push(rec);
  let best: Scored | undefined;
  let second: Scored | undefined;
  for (const rec of candidates) {
    if (rec.id === excludeId) continue;
    const cmp = compareRecords(probe, rec, cfg.logWeights, cfg.weights.m, index.frequencies, scratchLevels);
    // A different given name with family name and address agreeing is the pattern of a household, not of one
    // person: what the household shares is not counted as evidence then, and such a pair is never linked unasked.
    const otherPerson = householdOnly(scratchLevels);
    const logOdds = cmp.weight - (otherPerson ? cmp.household : 0) + prior;
    if (best && logOdds <= best.logOdds && second && logOdds <= second.logOdds) continue;
    const capped = contradicted.get(rec) ?? (otherPerson ? 'the given name is different (family name, address and phone are shared in households, so they were not counted)' : undefined);
    const s: Scored = { rec, logOdds, p: posterior(logOdds), capped, done: { levels: scratchLevels.slice(), weight: cmp.weight, swapped: cmp.swapped } };
    if (!best || logOdds > best.logOdds) [second, best] = [best, s];
    else if (!second || logOdds > second.logOdds) second = s;
  }
  if (!best) {
    return create(`No customer shares an exact key or a block (name, postal code, email, phone, card) with this payment; ${index.size} customers indexed.`);
  }
  const { evidence } = evidenceOf(probe, best.rec, index, cfg, best.done);
  const matchedOn = evidence.filter((e) => e.weight > 0 && e.outcome !== 'disagree').map((e) => e.field);
  const detail = `${describeEvidence(evidence)}; prior for ${index.size} customers ${fmt(prior)}`;
  // Two customers that both match this payment well: one person entered twice, or two people alike. Records
  // that do not disagree are one person (merged, undoably); records that do go to a person to decide.
  const runnerUp = second && second.p >= cfg.linkThreshold && !second.capped ? second : undefined;
  const twin = runnerUp && compatible(compareRecords(runnerUp.rec, best.rec, cfg.logWeights, cfg.weights.m, index.frequencies, scratchLevels).levels);
  const ambiguous = !!runnerUp && !twin;
  if (best.p >= cfg.linkThreshold && !best.capped && !ambiguous) {
    const merges: MergeProposal[] = runnerUp
      ? [{
          from: runnerUp.rec.id, into: best.rec.id, sharedKeys: [], auto: cfg.autoMerge,
          explanation: `This payment matches both ${best.rec.id} (${pct(best.p)}) and ${runnerUp.rec.id} (${pct(runnerUp.p)}), and the two records do not disagree: one person.`,
        }]
      : [];
    return {
      decision: 'link', customerId: best.rec.id, candidateId: best.rec.id, confidence: best.p, tier: 'probabilistic', matchedOn, evidence, merges,
      explanation: `Linked to ${best.rec.id} at ${pct(best.p)} by comparing fields — ${detail}.${runnerUp ? ` ${runnerUp.rec.id} matches too and will be merged into it.` : ''}`,
    };
  }
  if (best.p >= cfg.reviewThreshold) {
    const reason = best.capped
      ? ` Not linked automatically because ${best.capped}.`
      : ambiguous ? ` Not linked automatically because ${second!.rec.id} matches almost as well (${pct(second!.p)}).`
      : ` Below the link threshold of ${pct(cfg.linkThreshold)}.`;
    return {
      decision: 'review', customerId: null, candidateId: best.rec.id, confidence: best.p, tier: 'probabilistic', matchedOn, evidence, merges: [],
      explanation: `Probably ${best.rec.id} (${pct(best.p)}), needs a person to confirm — ${detail}.${reason}`,
    };
  }
  return {
    decision: 'create', customerId: null, candidateId: best.rec.id, confidence: best.p, tier: 'probabilistic', matchedOn: [], evidence, merges: [],
    explanation: `New customer: the closest, ${best.rec.id}, is only ${pct(best.p)} likely — ${detail}.${best.capped ? ` Counted as another person because ${best.capped}.` : ''}`,
  };
}

/** How much better (log2 odds) the chosen holder of a key must fit the payment than another holder to be told apart. */
const TIE_BITS = 1;

/**
 * Another customer the chosen key (a phone or mailbox a household shares) points to as well, whom the payment
 * fits about as well (within TIE_BITS) and whose record disagrees with the chosen one's: someone else, and nothing
 * in the payment says which of the two paid. Holders whose records agree are one person (merged as before).
 */
function rivalOf(chosen: Hit, hits: readonly Hit[], index: CustomerIndex, cfg: ResolvedMatchConfig): Hit | undefined {
  for (const h of hits) {
    if (h.rec === chosen.rec || h.kind !== chosen.kind || h.contradiction || h.weight < chosen.weight - TIE_BITS) continue;
    const between = compareRecords(h.rec, chosen.rec, cfg.logWeights, cfg.weights.m, index.frequencies, new Int8Array(FIELDS.length));
    if (!compatible(between.levels)) return h;
  }
  return undefined;
}

/** A key two different people hold, and a payment that fits both: a person decides (the likelier is the candidate). */
function tiedDecision(probe: NormalizedRecord, chosen: Hit, rival: Hit, index: CustomerIndex, cfg: ResolvedMatchConfig): Decision {
  const { evidence } = evidenceOf(probe, chosen.rec, index, cfg, chosen);
  const apart = describeEvidence(evidenceOf(rival.rec, chosen.rec, index, cfg).evidence.filter((e) => e.outcome === 'disagree'));
  const p = posterior(chosen.weight - rival.weight);
  return {
    decision: 'review', customerId: null, candidateId: chosen.rec.id, confidence: p, tier: 'exact', matchedOn: [chosen.kind], evidence, merges: [],
    explanation: `Probably ${chosen.rec.id} (${pct(p)}), needs a person to confirm: the ${chosen.kind} of this payment is both ${chosen.rec.id}'s and ${rival.rec.id}'s, whose records say they are two people (${apart}), and nothing else in the payment tells them apart.`,
  };
}

function create(explanation: string): Decision {
  return { decision: 'create', customerId: null, confidence: 0, matchedOn: [], evidence: [], explanation, merges: [] };
}

function exactDecision(
  probe: NormalizedRecord,
  chosen: Hit,
  hits: readonly Hit[],
  contradicted: ReadonlyMap<NormalizedRecord, string>,
  index: CustomerIndex,
  cfg: ResolvedMatchConfig,
): Decision {
  const target = chosen.rec;
  const matchedOn = [...new Set(hits.filter((h) => h.rec === target).map((h) => h.kind))];
  const { evidence } = evidenceOf(probe, target, index, cfg, chosen);
  const parts = [`Matched ${target.id} on ${matchedOn.join(', ')}.`];
  const others = evidence.filter((e) => e.field !== 'card' || e.level !== 'same card token');
  if (others.length) parts.push(`Fields: ${describeEvidence(others)}.`);
  const merges: MergeProposal[] = [];
  const seen = new Set<NormalizedRecord>([target]);
  for (const h of hits) {
    // a phone is shared by a household's records: sharing it does not make two customers one person
    if (seen.has(h.rec) || h.kind === 'phone') continue;
    seen.add(h.rec);
    const why = contradicted.get(h.rec);
    if (why) {
      parts.push(`Not merged with ${h.rec.id}: ${why}.`);
      continue;
    }
    const between = compareRecords(h.rec, target, cfg.logWeights, cfg.weights.m, index.frequencies, new Int8Array(FIELDS.length));
    const sharedKeys = [...new Set(hits.filter((x) => x.rec === h.rec).map((x) => x.kind))];
    const auto = cfg.autoMerge && compatible(between.levels);
    merges.push({
      from: h.rec.id,
      into: target.id,
      sharedKeys,
      auto,
      explanation: auto
        ? `This payment carries ${sharedKeys.join(', ')} of ${h.rec.id} and ${matchedOn.join(', ')} of ${target.id}, and the two records do not disagree: one person.`
        : `This payment carries ${sharedKeys.join(', ')} of ${h.rec.id} and ${matchedOn.join(', ')} of ${target.id}, but the two records differ (${describeEvidence(evidenceOf(h.rec, target, index, cfg).evidence.filter((e) => e.outcome === 'disagree'))}): a person should decide.`,
    });
    parts.push(auto ? `${h.rec.id} holds ${sharedKeys.join(', ')} of this payment and will be merged into ${target.id}.` : `${h.rec.id} also holds ${sharedKeys.join(', ')} of this payment; merge proposed for review.`);
  }
  for (const [rec, why] of contradicted) if (!seen.has(rec)) parts.push(`Not ${rec.id}: ${why}.`);
  return {
    decision: 'link', customerId: target.id, candidateId: target.id, confidence: EXACT_KEY_CONFIDENCE[chosen.kind], tier: 'exact',
    matchedOn, evidence, explanation: parts.join(' '), merges,
  };
}
