import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compareRecords } from '../../nodes/core/match/compare';
import { CustomerIndex } from '../../nodes/core/match/customer-index';
import { decide } from '../../nodes/core/match/decide';
import type { ResolvedMatchConfig } from '../../nodes/core/match/match-config';
import { normalizeRecord, type NormalizedRecord } from '../../nodes/core/match/normalized-record';
import { F, FIELDS } from '../../nodes/core/match/weights';
import { crmRecords, payment, type Population } from './population';

export interface Counts {
  /** Events whose payer already had a customer when the payment came in. */
  positives: number;
  links: number;
  correct: number;
}

export interface StreamResult {
  label: string;
  events: number;
  all: Counts;
  /** Only the payments that carry something their payer's customer record also has (see `linkable`). */
  linkable: Counts;
  byTier: Record<'exact' | 'probabilistic', { links: number; correct: number }>;
  reviews: number;
  /** Reviews whose candidate was the payer. */
  reviewsRight: number;
  creates: number;
  merges: number;
  mergesWrong: number;
  /** Pairs of payments put in one customer at the end (after merges), against pairs paid by one person. */
  pairs: { predicted: number; correct: number; actual: number };
  indexedAtStart: number;
  indexedAtEnd: number;
  /** Live heap before and after building the index (the bench's own id → person maps included). */
  heapBeforeBuild: number;
  heapAfterBuild: number;
  /** Wall time per payment in the stream, normalization and decision only, in microseconds. */
  streamMicros: number;
  p50Micros: number;
  p99Micros: number;
  buildSeconds: number;
  index: CustomerIndex;
}

export const precision = (c: { links: number; correct: number }) => (c.links ? c.correct / c.links : 1);
export const recall = (c: Counts) => (c.positives ? c.correct / c.positives : 1);
export const f1 = (p: number, r: number) => (p + r ? (2 * p * r) / (p + r) : 0);

setFlagsFromString('--expose-gc');
/** The engine's collector, reached without a command-line flag so `npm run bench:match` measures as it is. */
const collect = runInNewContext('gc') as () => void;

/** Heap in use after a full collection: what is still referenced, not what is waiting to be freed. */
export function liveHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** The CRM as it is before the payments: every known person's record(s), indexed. */
export function buildIndex(pop: Population, seed: number, cfg: ResolvedMatchConfig, owner: Map<string, number>, customersOf: Map<number, string[]>): CustomerIndex {
  const index = new CustomerIndex({ maxBlockSize: cfg.maxBlockSize, normalize: cfg.normalize });
  for (let id = 0; id < pop.persons; id++) {
    const p = pop.person(id);
    if (!p.known) continue;
    for (const rec of crmRecords(pop, p, seed)) {
      index.upsert(rec);
      owner.set(rec.id, id);
      own(customersOf, id, rec.id);
    }
  }
  return index;
}

function own(customersOf: Map<number, string[]>, person: number, id: string): void {
  const list = customersOf.get(person);
  if (list) list.push(id);
  else customersOf.set(person, [id]);
}

const levels = new Int8Array(FIELDS.length);

/**
 * Whether a payment carries anything its payer's record also has: a key, the same card (last 4 with BIN or
 * expiry), the same or a typo'd mailbox, or the name together with postal code or date of birth. A payment
 * that carries nothing of the kind (an anonymous tap of a card never seen) can only make a new customer.
 */
function linkable(probe: NormalizedRecord, records: readonly NormalizedRecord[], cfg: ResolvedMatchConfig): boolean {
  for (const r of records) {
    if (probe.processorIds.some((v) => r.processorIds.includes(v))) return true;
    compareRecords(probe, r, cfg.logWeights, cfg.weights.m, undefined, levels);
    const l = (f: number) => levels[f]!;
    if (l(F.card) >= 0 && l(F.card) <= 3) return true;
    if (l(F.email) >= 0 && l(F.email) <= 2) return true;
    if (l(F.phone) === 0) return true;
    if (l(F.given) >= 0 && l(F.given) <= 4 && l(F.family) >= 0 && l(F.family) <= 3 && (l(F.address) === 0 || l(F.address) === 2 || l(F.dob) === 0)) return true;
  }
  return false;
}

const pairsOf = (n: number) => (n * (n - 1)) / 2;

/**
 * Streams the payments through the matcher the way the pipeline does: match, then apply the decision (link:
 * attach keys to the customer; review or create: a new customer; safe merges: merge). Each decision is scored
 * against the truth at that moment: a link is right when the customer belongs to the payer; a payer who
 * already had a customer counts as a positive.
 */
export function runStream(pop: Population, seed: number, payments: number, cfg: ResolvedMatchConfig, label: string, progress?: (done: number) => void): StreamResult {
  const owner = new Map<string, number>();
  const customersOf = new Map<number, string[]>();
  const heapBeforeBuild = liveHeap();
  const t0 = process.hrtime.bigint();
  const index = buildIndex(pop, seed, cfg, owner, customersOf);
  const buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const heapAfterBuild = liveHeap();
  const res: StreamResult = {
    label, events: 0,
    all: { positives: 0, links: 0, correct: 0 },
    linkable: { positives: 0, links: 0, correct: 0 },
    byTier: { exact: { links: 0, correct: 0 }, probabilistic: { links: 0, correct: 0 } },
    reviews: 0, reviewsRight: 0, creates: 0, merges: 0, mergesWrong: 0, pairs: { predicted: 0, correct: 0, actual: 0 },
    indexedAtStart: index.size, indexedAtEnd: 0, heapBeforeBuild, heapAfterBuild, streamMicros: 0, p50Micros: 0, p99Micros: 0, buildSeconds, index,
  };
  const assigned: string[] = new Array(payments);
  const payers = new Int32Array(payments);
  const mergedInto = new Map<string, string>();
  const hist = new Uint32Array(4001); // 0.25 µs buckets up to 1 ms
  let matchNs = 0n;
  for (let n = 0; n < payments; n++) {
    const draw = payment(pop, seed, n);
    const a = process.hrtime.bigint();
    const probe = normalizeRecord(draw.record, cfg.normalize);
    const d = decide(probe, index, cfg);
    const ns = process.hrtime.bigint() - a;
    matchNs += ns;
    hist[Math.min(4000, Number(ns / 250n))]!++;

    res.events++;
    const payer = draw.payerId;
    payers[n] = payer;
    const mine = (customersOf.get(payer) ?? []).map((id) => index.get(id)).filter((r): r is NormalizedRecord => !!r);
    const positive = mine.length > 0;
    const canLink = positive && linkable(probe, mine, cfg);
    if (positive) res.all.positives++;
    if (canLink) res.linkable.positives++;
    if (d.decision === 'link') {
      const ok = owner.get(d.customerId!) === payer;
      const tier = res.byTier[d.tier ?? 'exact'];
      res.all.links++;
      tier.links++;
      if (canLink || !ok) res.linkable.links++;
      if (ok) {
        res.all.correct++;
        tier.correct++;
        if (canLink) res.linkable.correct++;
      }
      index.absorb(d.customerId!, probe);
      assigned[n] = d.customerId!;
      for (const m of d.merges) {
        if (!m.auto || !index.get(m.from) || !index.get(m.into)) continue;
        res.merges++;
        if (owner.get(m.from) !== owner.get(m.into)) res.mergesWrong++;
        index.mergeInto(m.into, m.from);
        mergedInto.set(m.from, m.into);
      }
    } else {
      if (d.decision === 'review') {
        res.reviews++;
        if (owner.get(d.candidateId!) === payer) res.reviewsRight++;
      } else res.creates++;
      const id = `new_${n}`;
      index.absorb(id, { ...probe, id });
      owner.set(id, payer);
      own(customersOf, payer, id);
      assigned[n] = id;
    }
    if (progress && (n + 1) % 100_000 === 0) progress(n + 1);
  }
  res.indexedAtEnd = index.size;
  res.streamMicros = Number(matchNs) / 1000 / payments;
  const quantile = (q: number) => {
    let acc = 0;
    for (let i = 0; i < hist.length; i++) {
      acc += hist[i]!;
      if (acc >= q * payments) return i * 0.25;
    }
    return 1000;
  };
  res.p50Micros = quantile(0.5);
  res.p99Micros = quantile(0.99);

  // End state: which customer holds each payment after every merge, against who paid.
  const resolve = (id: string) => {
    let cur = id;
    for (let next = mergedInto.get(cur); next; next = mergedInto.get(cur)) cur = next;
    return cur;
  };
  const byCustomer = new Map<string, Map<number, number>>();
  const byPerson = new Map<number, number>();
  for (let n = 0; n < payments; n++) {
    const c = resolve(assigned[n]!);
    let m = byCustomer.get(c);
    if (!m) byCustomer.set(c, (m = new Map()));
    m.set(payers[n]!, (m.get(payers[n]!) ?? 0) + 1);
    byPerson.set(payers[n]!, (byPerson.get(payers[n]!) ?? 0) + 1);
  }
  for (const m of byCustomer.values()) {
    let total = 0;
    for (const k of m.values()) {
      total += k;
      res.pairs.correct += pairsOf(k);
    }
    res.pairs.predicted += pairsOf(total);
  }
  for (const k of byPerson.values()) res.pairs.actual += pairsOf(k);
  return res;
}

/**
 * CPU time per payment (normalize + decide) against a built index, on payments held in memory: unlike the
 * stream's wall time it does not count time the process spent waiting for a core.
 */
export function timeMatching(pop: Population, seed: number, index: CustomerIndex, cfg: ResolvedMatchConfig, from: number, count: number): number {
  const records = Array.from({ length: count }, (_, i) => payment(pop, seed, from + i).record);
  for (let i = 0; i < Math.min(2000, count); i++) decide(normalizeRecord(records[i]!, cfg.normalize), index, cfg);
  const before = process.cpuUsage();
  for (const r of records) decide(normalizeRecord(r, cfg.normalize), index, cfg);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}
