import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { tempDir } from '../../support/temp-store';

describe('SQLite write mark: moves with every commit, from this connection or another', () => {
  const dir = tempDir('tcrm-mark-');
  const path = join(dir.path, 'store.db');
  const mine = new SqliteDatabase(path);
  const theirs = new SqliteDatabase(path);
  after(async () => {
    await mine.close();
    await theirs.close();
    dir.remove();
  });

  it('stays put across reads, and moves on a write, a transaction and a script of this connection', async () => {
    await mine.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const start = mine.writeMark();
    await mine.all('SELECT * FROM t');
    await mine.get('SELECT COUNT(*) AS n FROM t');
    assert.equal(mine.writeMark(), start, 'a SELECT writes nothing');

    await mine.run('INSERT INTO t (v) VALUES (?)', ['a']);
    const afterRun = mine.writeMark();
    assert.notEqual(afterRun, start);

    await mine.transaction(async (tx) => {
      await tx.all('INSERT INTO t (v) VALUES (?) RETURNING id', ['b']);
    });
    const afterTx = mine.writeMark();
    assert.notEqual(afterTx, afterRun, 'a commit moves the mark, whatever ran inside');

    await mine.get('INSERT INTO t (v) VALUES (?) RETURNING id', ['c']);
    assert.notEqual(mine.writeMark(), afterTx, 'a write through get (RETURNING) counts too');
  });

  it('moves when another connection (another process) commits to the same file', async () => {
    const before = mine.writeMark();
    await theirs.run('INSERT INTO t (v) VALUES (?)', ['from another process']);
    assert.notEqual(mine.writeMark(), before);
    const rows = await mine.all<{ v: string }>('SELECT v FROM t ORDER BY id');
    assert.deepEqual(rows.map((r) => r.v), ['a', 'b', 'c', 'from another process']);
  });
});
