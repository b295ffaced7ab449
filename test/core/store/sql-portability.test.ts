import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaStatementFor } from '../../../nodes/core/store/dialect';
import { lockNumber, lockPlan, MAX_KEY_LOCKS } from '../../../nodes/core/store/postgres-locks';
import { toPostgresPlaceholders } from '../../../nodes/core/store/postgres-placeholders';
import { parseNumber } from '../../../nodes/core/store/postgres-types';

describe('SQL written once for SQLite and Postgres', () => {
  it('numbers ? placeholders in order, leaving ? inside literals, quoted names and comments alone', () => {
    assert.equal(toPostgresPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)'), 'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)');
    assert.equal(
      toPostgresPlaceholders(`SELECT '?', 'it''s ?', "odd?name" FROM t -- why?\nWHERE x = ? /* and ? */ AND y = ?`),
      `SELECT '?', 'it''s ?', "odd?name" FROM t -- why?\nWHERE x = $1 /* and ? */ AND y = $2`,
    );
    assert.equal(toPostgresPlaceholders("SELECT 1 WHERE k = 'unterminated ?"), "SELECT 1 WHERE k = 'unterminated ?");
  });

  it('gives Postgres 64-bit integers, doubles and byte-order text where the schema says INTEGER, REAL and TEXT, and leaves SQLite as written', () => {
    const ddl = "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, p REAL, note TEXT DEFAULT 'INTEGER or REAL', integers_seen INTEGER, text_real integer)";
    assert.equal(
      schemaStatementFor('postgres', ddl),
      'CREATE TABLE t (id TEXT COLLATE "C" PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0, p DOUBLE PRECISION, ' +
        `note TEXT COLLATE "C" DEFAULT 'INTEGER or REAL', integers_seen BIGINT, text_real integer)`,
    );
    assert.equal(schemaStatementFor('sqlite', ddl), ddl);
  });

  it('reads 64-bit integers and sums as numbers, and refuses one it cannot hold exactly', () => {
    assert.equal(parseNumber('2147483648000'), 2_147_483_648_000);
    assert.equal(parseNumber('-42'), -42);
    assert.equal(parseNumber('2.5'), 2.5);
    assert.equal(parseNumber(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.throws(() => parseNumber('9007199254740993'), /too large to handle exactly/);
  });

  it('locks contended keys in one order, and the whole store for a transaction naming very many', () => {
    const plan = lockPlan(['customer:b', 'payment:stripe:pi_1', 'customer:b', 'customer:a'])!;
    assert.equal(plan.storeWideExclusive, false);
    assert.equal(plan.keys.length, 3);
    assert.deepEqual(plan.keys, [...plan.keys].sort((a, b) => a - b));
    assert.equal(lockNumber('customer:a'), lockNumber('customer:a'));
    assert.equal(lockPlan([]), undefined);
    const many = lockPlan(Array.from({ length: MAX_KEY_LOCKS + 1 }, (_, i) => `customer:${i}`))!;
    assert.deepEqual(many, { storeWideExclusive: true, keys: [] });
  });
});
