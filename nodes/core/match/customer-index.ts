import type { MatchKeyKind } from '../contracts/customer';
import { BlockTable } from './block-table';
import { KeyTable } from './key-table';
import { blockKeys, emailBlock, hashKey, phoneBlock } from './blocking';
import type { ValueFrequencies } from './compare';
import type { CardDescriptor, CustomerChangeSource, MatchRecord } from '../contracts/match-record';
import { DEFAULT_NORMALIZE, normalizeRecord, refreshFingerprints, type NormalizeOptions, type NormalizedRecord } from './normalized-record';

const OVERSIZED = -1;
/** What candidates()'s early reads add up to: written, so that the compiler keeps those reads. */
const touchedSum = { value: 0 };
/** Rarer than this counts as this rare: one typo'd name in a million must not become overwhelming evidence. */
const TF_FLOOR = 2e-5;

export interface IndexOptions {
  /**
   * Blocks with more customers than this ("John" + "Smith" in a city of millions) are dropped: they say too
   * little to be worth comparing against, and skipping them is what keeps the cost per payment flat.
   */
  maxBlockSize: number;
  normalize: NormalizeOptions;
}

export const DEFAULT_INDEX_OPTIONS: IndexOptions = { maxBlockSize: 40, normalize: DEFAULT_NORMALIZE };

type ExactKind = Exclude<MatchKeyKind, 'paymentId'>;

function valuesOf(r: NormalizedRecord, kind: ExactKind): readonly string[] {
  switch (kind) {
    case 'processorCustomerId': return r.processorIds;
    case 'email': return r.emails;
    case 'phone': return r.phones;
    case 'cardToken': return r.tokens;
  }
}

const EXACT_KINDS: readonly ExactKind[] = ['processorCustomerId', 'email', 'phone', 'cardToken'];

/**
 * How many customers hold each value of one field. Remembers its last answer: a payment's candidates mostly
 * share its name or postal code, so the same value is asked for again and again, and a lookup in a map of
 * hundreds of thousands of names is a cache miss each time.
 */
class ValueCounts {
  private readonly counts = new Map<string, number>();
  private lastValue: string | undefined;
  private lastCount: number | undefined;

  bump(v: string | undefined, by: number): void {
    if (!v) return;
    this.lastValue = undefined;
    const n = (this.counts.get(v) ?? 0) + by;
    if (n > 0) this.counts.set(v, n);
    else this.counts.delete(v);
  }

  get(v: string): number | undefined {
    if (v === this.lastValue) return this.lastCount;
    const n = this.counts.get(v);
    this.lastValue = v;
    this.lastCount = n;
    return n;
  }
}

/**
 * The matcher's in-memory index of customers: their exact keys, their blocks and how common their names are.
 * Filled from a CustomerChangeSource (the local store or a CRM) and kept current by incremental refreshes,
 * so a payment is matched with map lookups and a few dozen comparisons, never with a search in the CRM.
 */
export class CustomerIndex {
  readonly options: IndexOptions;
  private readonly recs: (NormalizedRecord | undefined)[] = [];
  private readonly byId = new Map<string, number>();
  private readonly free: number[] = [];
  /** One map per key kind, so a lookup hashes the value as the payment carries it, without building a string. */
  private readonly exact: Record<ExactKind, KeyTable> = {
    processorCustomerId: new KeyTable(), email: new KeyTable(), phone: new KeyTable(), cardToken: new KeyTable(),
  };
  private readonly blocks = new BlockTable();
  private readonly givenCounts = new ValueCounts();
  private readonly familyCounts = new ValueCounts();
  private readonly postalCounts = new ValueCounts();
  private readonly idNumberCounts = new ValueCounts();
  private seen = new Int32Array(1024);
  private readonly entryScratch: (number | number[] | undefined)[] = [];
  private generation = 0;
  private live = 0;
  private cursor: string | null = null;
  private refreshing: Promise<void> = Promise.resolve();
  private lastRefreshAt = 0;

  constructor(options: Partial<IndexOptions> = {}) {
    this.options = { ...DEFAULT_INDEX_OPTIONS, ...options };
  }

  /** Customers currently indexed. */
  get size(): number {
    return this.live;
  }

  upsert(record: MatchRecord): void {
    if (record.mergedInto) {
      this.remove(record.id);
      return;
    }
    this.upsertNormalized(normalizeRecord(record, this.options.normalize));
  }

  upsertNormalized(given: NormalizedRecord): void {
    const rec = keptCopy(given);
    const existing = this.byId.get(rec.id);
    if (existing === undefined) {
      const ord = this.free.pop() ?? this.recs.length;
      this.recs[ord] = rec;
      this.byId.set(rec.id, ord);
      this.live++;
      this.addBlocks(ord, blockKeys(rec));
      this.addExact(ord, rec);
      this.count(rec, 1);
      return;
    }
    const old = this.recs[existing]!;
    const oldBlocks = blockKeys(old);
    const newBlocks = blockKeys(rec);
    this.removeBlocks(existing, oldBlocks.filter((b) => !newBlocks.includes(b)));
    this.addBlocks(existing, newBlocks.filter((b) => !oldBlocks.includes(b)));
    this.removeExact(existing, old, rec);
    this.addExact(existing, rec);
    this.count(old, -1);
    this.count(rec, 1);
    this.recs[existing] = rec;
  }

  remove(id: string): void {
    const ord = this.byId.get(id);
    if (ord === undefined) return;
    const rec = this.recs[ord]!;
    this.removeBlocks(ord, blockKeys(rec));
    this.removeExact(ord, rec);
    this.count(rec, -1);
    this.recs[ord] = undefined;
    this.byId.delete(id);
    this.free.push(ord);
    this.live--;
  }

  get(id: string): NormalizedRecord | undefined {
    const ord = this.byId.get(id);
    return ord === undefined ? undefined : this.recs[ord];
  }

  at(ordinal: number): NormalizedRecord | undefined {
    return this.recs[ordinal];
  }

  /** The customer holding an exact key (values normalized as the index stores them). */
  findKey(kind: ExactKind, value: string): NormalizedRecord | undefined {
    const ord = this.exact[kind].get(value);
    return ord === undefined ? undefined : this.recs[ord];
  }

  /**
   * Every customer whose record has this phone or email, not only the one the key map names: a CRM may hold a
   * household's landline on several records. Looked up in the one block the value falls in.
   */
  holdersOf(kind: 'phone' | 'email', value: string): NormalizedRecord[] {
    const entry = this.blocks.get(hashKey(kind === 'phone' ? phoneBlock(value) : emailBlock(value) ?? ''));
    const out: NormalizedRecord[] = [];
    if (entry === undefined || entry === OVERSIZED) return out;
    if (typeof entry === 'number') {
      const r = this.recs[entry]!;
      if ((kind === 'phone' ? r.phones : r.emails).includes(value)) out.push(r);
      return out;
    }
    for (const ord of entry) {
      const r = this.recs[ord]!;
      if ((kind === 'phone' ? r.phones : r.emails).includes(value)) out.push(r);
    }
    return out;
  }

  /** Customers sharing at least one block with `probe`, each once, into `out` (cleared first). */
  candidates(probe: NormalizedRecord, out: NormalizedRecord[] = []): NormalizedRecord[] {
    out.length = 0;
    if (++this.generation > 0x7ffffff0) {
      this.generation = 1;
      this.seen.fill(0);
    }
    const gen = this.generation;
    if (this.seen.length < this.recs.length) {
      const grown = new Int32Array(Math.max(this.recs.length, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    const seen = this.seen;
    // Each step for all candidates at once: the blocks, then their members, then the records, then the fields a
    // comparison reads first. Among a million customers every one of these reads is a cache miss; issued together
    // they overlap, where met one comparison at a time each would wait for the one before (bench/match/README.md).
    const entries = this.entryScratch;
    entries.length = 0;
    for (const b of blockKeys(probe)) entries.push(this.blocks.get(b));
    let touched = 0;
    for (const e of entries) if (typeof e === 'object') touched += e.length;
    for (const e of entries) if (typeof e === 'object') for (const ord of e) touched += seen[ord]!;
    for (const entry of entries) {
      if (entry === undefined || entry === OVERSIZED) continue;
      if (typeof entry === 'number') {
        if (seen[entry] !== gen) {
          seen[entry] = gen;
          out.push(this.recs[entry]!);
        }
      } else {
        for (const ord of entry) {
          if (seen[ord] !== gen) {
            seen[ord] = gen;
            out.push(this.recs[ord]!);
          }
        }
      }
    }
    for (const c of out) touched += c.tokenBits;
    for (const c of out) {
      touched += (c.given?.length ?? 0) + (c.family?.length ?? 0) + (c.postal?.length ?? 0) + (c.street?.length ?? 0) + (c.city?.length ?? 0);
      touched += (c.dob?.length ?? 0) + c.emails.length + c.phones.length;
    }
    touchedSum.value = touched;
    return out;
  }

  /** Share of indexed customers with this value, floored; for term-frequency adjusted weights. */
  readonly frequencies: ValueFrequencies = {
    given: (v) => this.frequency(this.givenCounts, v),
    family: (v) => this.frequency(this.familyCounts, v),
    postal: (v) => this.frequency(this.postalCounts, v),
    idNumber: (v) => this.frequency(this.idNumberCounts, v),
    // only a mailbox several records hold is adjusted: one held once keeps the weight of its level
    email: (v) => {
      const n = this.holdersOf('email', v).length;
      return n < 2 ? undefined : Math.max(TF_FLOOR, n / this.live);
    },
  };

  /** Every indexed customer, in no particular order (for learning weights over them). */
  *records(): IterableIterator<NormalizedRecord> {
    for (const r of this.recs) if (r) yield r;
  }

  /** Up to `n` indexed customers picked by `random` (0 ≤ random() < 1), for estimating weights. */
  sample(n: number, random: () => number): NormalizedRecord[] {
    const out: NormalizedRecord[] = [];
    if (this.live === 0) return out;
    for (let tries = 0; out.length < n && tries < n * 4; tries++) {
      const r = this.recs[Math.floor(random() * this.recs.length)];
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * What the store does when a payment is linked to (or creates) customer `id`, done on the index at once: new
   * keys are attached unless another customer holds them, empty fields are filled in. Lets a CRM whose changes
   * are listed only every few seconds see its own new customers in between, and lets benchmarks run without a store.
   */
  absorb(id: string, probe: NormalizedRecord): NormalizedRecord {
    const cur = this.get(id);
    const next = cur ? combine(cur, probe, (kind, v) => this.holderOf(kind, v, id)) : refreshFingerprints({ ...probe, id, ...freeKeys(probe, (kind, v) => this.holderOf(kind, v, id)) });
    this.upsertNormalized(next);
    return next;
  }

  /** What mergeCustomers does to the store, done on the index: `from` disappears into `into`. */
  mergeInto(into: string, from: string): void {
    const a = this.get(into);
    const b = this.get(from);
    if (!a || !b || into === from) return;
    this.remove(from);
    this.upsertNormalized(combine(a, b, () => true));
  }

  private holderOf(kind: ExactKind, value: string, id: string): boolean {
    const holder = this.findKey(kind, value);
    return !holder || holder.id === id;
  }

  /**
   * Brings the index up to date with the source: the first call loads everything, later calls only what
   * changed since. Calls queue, so concurrent payments never read a half-applied page.
   */
  refresh(source: CustomerChangeSource, pageSize = 2000): Promise<void> {
    const run = this.refreshing.then(async () => {
      for (;;) {
        const page = await source.customerChanges(this.cursor, pageSize);
        for (const r of page.records) {
          const have = this.get(r.id);
          if (have && r.updatedAt !== undefined && have.updatedAt === r.updatedAt && !r.mergedInto) continue;
          this.upsert(r);
        }
        this.cursor = page.next;
        if (!page.more) break;
      }
      this.lastRefreshAt = Date.now();
    });
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  /** Refreshes unless the last refresh is younger than `intervalMs`. */
  async refreshIfDue(source: CustomerChangeSource, intervalMs: number): Promise<void> {
    if (this.lastRefreshAt !== 0 && Date.now() - this.lastRefreshAt < intervalMs) return;
    await this.refresh(source);
  }

  private frequency(counts: ValueCounts, v: string): number | undefined {
    const n = counts.get(v);
    return n === undefined || this.live === 0 ? undefined : Math.max(TF_FLOOR, n / this.live);
  }

  private count(r: NormalizedRecord, by: number): void {
    this.givenCounts.bump(r.given, by);
    this.familyCounts.bump(r.family, by);
    this.postalCounts.bump(r.postal, by);
    this.idNumberCounts.bump(r.idNumber, by);
  }

  private addBlocks(ord: number, keys: readonly number[]): void {
    const max = this.options.maxBlockSize;
    for (const k of keys) {
      const entry = this.blocks.get(k);
      if (entry === undefined) this.blocks.set(k, ord);
      else if (entry === OVERSIZED) continue;
      else if (typeof entry === 'number') {
        if (entry !== ord) this.blocks.set(k, [entry, ord]);
      } else if (!entry.includes(ord)) {
        if (entry.length >= max) this.blocks.set(k, OVERSIZED);
        else entry.push(ord);
      }
    }
  }

  private removeBlocks(ord: number, keys: readonly number[]): void {
    for (const k of keys) {
      const entry = this.blocks.get(k);
      if (entry === undefined || entry === OVERSIZED) continue;
      if (typeof entry === 'number') {
        if (entry === ord) this.blocks.delete(k);
      } else {
        const i = entry.indexOf(ord);
        if (i >= 0) entry.splice(i, 1);
        if (entry.length === 1) this.blocks.set(k, entry[0]!);
      }
    }
  }

  private addExact(ord: number, rec: NormalizedRecord): void {
    // The first customer to hold a key keeps it, as in the store (a key already on another customer stays there).
    for (const kind of EXACT_KINDS) {
      const map = this.exact[kind];
      for (const v of valuesOf(rec, kind)) if (!map.has(v)) map.set(v, ord);
    }
  }

  /** Drops the keys `old` held that `next` (if given) no longer holds. */
  private removeExact(ord: number, old: NormalizedRecord, next?: NormalizedRecord): void {
    for (const kind of EXACT_KINDS) {
      const map = this.exact[kind];
      const keep = next ? valuesOf(next, kind) : [];
      for (const v of valuesOf(old, kind)) if (!keep.includes(v) && map.get(v) === ord) map.delete(v);
    }
  }
}

/** One shared empty list, as normalizeRecord uses. */
const NONE: readonly never[] = Object.freeze([]);
const listCopy = (list: readonly string[]): readonly string[] => (list.length ? list.slice() : NONE);

/**
 * The index's own copy of a record, made here and nowhere else. V8 places an object where the code that made it
 * placed the last ones that lived long: were the index to keep the objects normalizeRecord made, every payment's
 * probe (made by the same code, dead a few microseconds later) would be allocated among the million long-lived
 * customers and collected with them, which cost about 3 µs per payment at 1M customers (bench/match/README.md).
 * Same properties in the same order as normalizeRecord's, so comparisons see one object shape.
 */
function keptCopy(r: NormalizedRecord): NormalizedRecord {
  const out: NormalizedRecord = {
    id: r.id,
    given: r.given,
    family: r.family,
    emails: listCopy(r.emails),
    phones: listCopy(r.phones),
    postal: r.postal,
    street: r.street,
    city: r.city,
    dob: r.dob,
    cards: r.cards.length ? r.cards.map(keptCard) : NONE,
    tokens: listCopy(r.tokens),
    processorIds: listCopy(r.processorIds),
    tokenBits: r.tokenBits,
    last4Bits: r.last4Bits,
    updatedAt: r.updatedAt,
  };
  if (r.idNumber !== undefined) out.idNumber = r.idNumber;
  return out;
}

function keptCard(c: CardDescriptor): CardDescriptor {
  return { last4: c.last4, bin: c.bin, expMonth: c.expMonth, expYear: c.expYear, brand: c.brand, wallet: c.wallet, token: c.token, processor: c.processor };
}

type KeyFree = (kind: ExactKind, value: string) => boolean;

function freeKeys(r: NormalizedRecord, free: KeyFree): Pick<NormalizedRecord, 'emails' | 'phones' | 'tokens' | 'processorIds'> {
  return {
    emails: r.emails.filter((v) => free('email', v)),
    phones: r.phones.filter((v) => free('phone', v)),
    tokens: r.tokens.filter((v) => free('cardToken', v)),
    processorIds: r.processorIds.filter((v) => free('processorCustomerId', v)),
  };
}

const union = (a: readonly string[], b: readonly string[]) => (b.every((v) => a.includes(v)) ? a : [...a, ...b.filter((v) => !a.includes(v))]);
const cardId = (c: { bin?: string; last4: string; expMonth?: number; expYear?: number; token?: string }) => c.token ?? `${c.bin ?? ''}:${c.last4}:${c.expMonth ?? ''}/${c.expYear ?? ''}`;

/** `base` with `extra`'s keys added where free and `base`'s empty fields filled from `extra` (as the store does). */
function combine(base: NormalizedRecord, extra: NormalizedRecord, free: KeyFree): NormalizedRecord {
  const keys = freeKeys(extra, free);
  const hasName = base.given !== undefined || base.family !== undefined;
  const known = new Set(base.cards.map(cardId));
  const out: NormalizedRecord = {
    ...base,
    given: hasName ? base.given : extra.given,
    family: hasName ? base.family : extra.family,
    emails: union(base.emails, keys.emails),
    phones: union(base.phones, keys.phones),
    tokens: union(base.tokens, keys.tokens),
    processorIds: union(base.processorIds, keys.processorIds),
    postal: base.postal ?? extra.postal,
    street: base.street ?? extra.street,
    city: base.city ?? extra.city,
    dob: base.dob ?? extra.dob,
    cards: extra.cards.every((c) => known.has(cardId(c))) ? base.cards : [...base.cards, ...extra.cards.filter((c) => !known.has(cardId(c)))],
  };
  if (out.idNumber === undefined && extra.idNumber) out.idNumber = extra.idNumber;
  return refreshFingerprints(out);
}
