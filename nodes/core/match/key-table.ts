/**
 * An exact key (email, phone, card token, processor customer id) → customer ordinal, for the customer index.
 * Open addressing over one Int32Array of [hash, ordinal] pairs, the key strings beside it: a key no customer
 * holds (most card tokens of a payment) costs one cache line, where a Map of hundreds of thousands of strings
 * reads a bucket, an entry and the stored string of every key on the chain.
 */
const EMPTY = 0;
const DELETED = 1;

/** 32-bit FNV-1a, never 0 or 1 (those mark empty and deleted slots). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === EMPTY || h === DELETED ? 2 : h;
}

export class KeyTable {
  private slots: Int32Array;
  private keys: (string | undefined)[];
  private mask: number;
  private used = 0;
  private live = 0;

  constructor(capacityBits = 10) {
    this.slots = new Int32Array(2 << capacityBits);
    this.keys = new Array<string | undefined>(1 << capacityBits);
    this.mask = (1 << capacityBits) - 1;
  }

  get size(): number {
    return this.live;
  }

  get(key: string): number | undefined {
    const i = this.find(key, hashOf(key));
    return i < 0 ? undefined : this.slots[2 * i + 1];
  }

  has(key: string): boolean {
    return this.find(key, hashOf(key)) >= 0;
  }

  set(key: string, ord: number): void {
    const h = hashOf(key);
    let i = this.find(key, h);
    if (i < 0) {
      if ((this.used + 1) * 2 > this.mask + 1) {
        this.rehash();
      }
      i = this.insertSlot(key, h);
    }
    this.slots[2 * i + 1] = ord;
  }

  delete(key: string): void {
    const i = this.find(key, hashOf(key));
    if (i < 0) return;
    this.slots[2 * i] = DELETED;
    this.keys[i] = undefined;
    this.live--;
  }

  private find(key: string, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const s = slots[2 * i]!;
      if (s === h && this.keys[i] === key) return i;
      if (s === EMPTY) return -1;
    }
  }

  private insertSlot(key: string, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const s = slots[2 * i]!;
      if (s === EMPTY || s === DELETED) {
        if (s === EMPTY) this.used++;
        slots[2 * i] = h;
        this.keys[i] = key;
        this.live++;
        return i;
      }
    }
  }

  /** Grows to keep the table at most half full (tombstones counted), or only clears tombstones when that is enough. */
  private rehash(): void {
    const oldSlots = this.slots;
    const oldKeys = this.keys;
    const cap = this.mask + 1;
    const next = this.live * 4 > cap ? cap * 2 : cap;
    this.slots = new Int32Array(2 * next);
    this.keys = new Array<string | undefined>(next);
    this.mask = next - 1;
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < cap; i++) {
      const s = oldSlots[2 * i]!;
      if (s === EMPTY || s === DELETED) continue;
      const j = this.insertSlot(oldKeys[i]!, s);
      this.slots[2 * j + 1] = oldSlots[2 * i + 1]!;
    }
  }
}
