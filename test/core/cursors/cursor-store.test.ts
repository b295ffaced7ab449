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
});
