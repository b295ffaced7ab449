import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockTable } from '../../../nodes/core/match/block-table';
import { KeyTable } from '../../../nodes/core/match/key-table';

/** A small seeded generator, so a failure replays. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('the customer index tables answer as a Map would', () => {
  it('keys: through growth, deletes and re-inserts over tombstones, every lookup agrees with a Map', () => {
    const random = lcg(7);
    const table = new KeyTable(2);
    const map = new Map<string, number>();
    for (let step = 0; step < 60_000; step++) {
      const key = `ctok_k1_${Math.floor(random() * 5000).toString(36)}`;
      const op = random();
      if (op < 0.5) {
        table.set(key, step);
        map.set(key, step);
      } else if (op < 0.8) {
        table.delete(key);
        map.delete(key);
      }
      assert.equal(table.get(key), map.get(key), `${key} after step ${step}`);
      assert.equal(table.has(key), map.has(key));
    }
    assert.equal(table.size, map.size);
    for (let i = 0; i < 5000; i++) {
      const key = `ctok_k1_${i.toString(36)}`;
      assert.equal(table.get(key), map.get(key), key);
    }
  });

  it('blocks: ordinals, lists kept by reference and replaced values agree with a Map', () => {
    const random = lcg(11);
    const table = new BlockTable(2);
    const map = new Map<number, number | number[]>();
    for (let step = 0; step < 60_000; step++) {
      const key = Math.floor(random() * 4000) * 0x9e37 & 0x3fffffff;
      const op = random();
      const have = map.get(key);
      if (op < 0.3) {
        table.set(key, step);
        map.set(key, step);
      } else if (op < 0.5) {
        const list = [step, step + 1];
        table.set(key, list);
        map.set(key, list);
      } else if (op < 0.65 && Array.isArray(have)) {
        have.push(step); // in place, as the index grows a block
      } else if (op < 0.85) {
        table.delete(key);
        map.delete(key);
      }
      assert.deepEqual(table.get(key), map.get(key), `${key} after step ${step}`);
    }
    assert.equal(table.size, map.size);
    for (const [key, value] of map) assert.deepEqual(table.get(key), value);
  });
});
