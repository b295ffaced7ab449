import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CursorStore } from '../../../nodes/core/cursors/cursor-store';
import { dialectStores } from '../match/store-dialects';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-cursors');

for (const store of stores) describe(`cursor store on ${store.dialect}`, () => {
  it('keeps a named cursor across instances, moves it, and rolls back with the transaction it was written in', async () => {
    const s = await store.open();
    try {
      const a = new CursorStore(s.db);
      assert.equal(await a.get('poll:square'), null);
      await a.set('poll:square', 'c1');
      assert.equal(await new CursorStore(s.db).get('poll:square'), 'c1');
      await a.set('poll:square', 'c2');
      assert.equal(await a.get('poll:square'), 'c2');
      await assert.rejects(
        s.db.transaction(async (tx) => {
          await a.set('poll:square', 'c3', tx);
          throw new Error('the page was not written');
        }),
        /not written/,
      );
      assert.equal(await a.get('poll:square'), 'c2');
    } finally {
      await s.remove();
    }
  });

  it('a time cursor moves forward only: an earlier time leaves it, and of writers at once the latest time stays', async () => {
    // A plain set took a loyalty program's review cursor back to an operator's review as of a past date.
    const s = await store.open();
    try {
      const c = new CursorStore(s.db);
      assert.equal(await c.advanceTime('loyalty-review:t', new Date('2025-10-02T00:00:00Z')), '2025-10-02T00:00:00.000Z');
      assert.equal(await c.advanceTime('loyalty-review:t', new Date('2025-06-15T00:00:00Z')), '2025-10-02T00:00:00.000Z');
      assert.equal(await c.get('loyalty-review:t'), '2025-10-02T00:00:00.000Z');
      assert.equal(await c.advanceTime('loyalty-review:t', new Date('2025-10-03T00:00:00Z')), '2025-10-03T00:00:00.000Z');
      // Eight writers at once, each in its own transaction, the latest time among the first half.
      const days = [20, 3, 31, 7, 12, 1, 28, 9].map((d) => new Date(Date.UTC(2026, 0, d)));
      await Promise.all(days.map((d) => s.db.transaction((tx) => c.advanceTime('loyalty-review:race', d, tx))));
      assert.equal(await c.get('loyalty-review:race'), '2026-01-31T00:00:00.000Z');
    } finally {
      await s.remove();
    }
  });
});
