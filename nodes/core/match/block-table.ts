/**
 * The blocks of the customer index: block key (a 30-bit hash) → one customer ordinal, OVERSIZED (-1) or a list
 * of ordinals. Open addressing over one Int32Array of [key + 1, value] pairs, so a lookup per payment costs one
 * cache line instead of the bucket, entry and chain reads of a Map with millions of entries; that read is most
 * of the cost of finding the candidates.
 */
const EMPTY = 0;
const DELETED = -1;
/** Values at or below this are lists: -2 - (their place in `lists`). */
const LIST = -2;

export class BlockTable {
  private slots: Int32Array;
  private shift: number;
  /** Slots holding a key or a tombstone: the probe chains' length depends on both. */
  private used = 0;
  private live = 0;
  private readonly lists: (number[] | undefined)[] = [];
  private readonly freeLists: number[] = [];

  constructor(capacityBits = 12) {
    this.slots = new Int32Array(2 << capacityBits);
    this.shift = 32 - capacityBits;
  }

  get size(): number {
    return this.live;
  }

  /** The ordinal, OVERSIZED or list stored under `key`; undefined when none. */
  get(key: number): number | number[] | undefined {
    const i = this.find(key);
    if (i < 0) return undefined;
    const v = this.slots[i + 1]!;
    return v <= LIST ? this.lists[LIST - v] : v;
  }

  /** Stores an ordinal (or OVERSIZED) or a list (kept by reference: pushing to it later updates the block). */
  set(key: number, value: number | number[]): void {
    let i = this.find(key);
    if (i >= 0) this.release(this.slots[i + 1]!);
    else {
      if ((this.used + 1) * 2 > this.slots.length >> 1) this.rehash();
      i = this.insertSlot(key);
    }
    this.slots[i + 1] = typeof value === 'number' ? value : this.keep(value);
  }

  delete(key: number): void {
    const i = this.find(key);
    if (i < 0) return;
    this.release(this.slots[i + 1]!);
    this.slots[i] = DELETED;
    this.slots[i + 1] = 0;
    this.live--;
  }

  private home(key: number): number {
    // Fibonacci hashing: the top bits of the product spread keys that differ only in their low bits
    return (Math.imul(key, 0x9e3779b1) >>> this.shift) << 1;
  }

  private find(key: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const want = key + 1;
    for (let i = this.home(key); ; i = (i + 2) & mask) {
      const k = slots[i]!;
      if (k === want) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** A free slot for a key known to be absent: the first tombstone or empty slot on its chain. */
  private insertSlot(key: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = this.home(key); ; i = (i + 2) & mask) {
      const k = slots[i]!;
      if (k === EMPTY || k === DELETED) {
        if (k === EMPTY) this.used++;
        slots[i] = key + 1;
        this.live++;
        return i;
      }
    }
  }

  private keep(list: number[]): number {
    const at = this.freeLists.pop() ?? this.lists.length;
    this.lists[at] = list;
    return LIST - at;
  }

  private release(value: number): void {
    if (value > LIST) return;
    this.lists[LIST - value] = undefined;
    this.freeLists.push(LIST - value);
  }

  /** Grows to keep the table at most half full (tombstones counted), or only clears tombstones when that is enough. */
  private rehash(): void {
    const old = this.slots;
    const pairs = old.length >> 1;
    const bits = 32 - this.shift + (this.live * 4 > pairs ? 1 : 0);
    this.slots = new Int32Array(2 << bits);
    this.shift = 32 - bits;
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i]!;
      if (k === EMPTY || k === DELETED) continue;
      const j = this.insertSlot(k - 1);
      this.slots[j + 1] = old[i + 1]!;
    }
  }
}
