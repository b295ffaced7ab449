import type { SqlExecutor, SqlValue } from '../store/sql-database';

const CHUNKS = [64, 32, 16, 8, 4, 2, 1];

/**
 * Writes rows with multi-row INSERTs: one statement per chunk instead of one per row. Chunk sizes are powers of
 * two, so n rows take at most seven statements of seven fixed shapes, which the SQLite store keeps compiled.
 * `suffix` follows the VALUES list (an ON CONFLICT clause). Postgres refuses an upsert that touches one row
 * twice in a statement: give each key once.
 */
export async function insertMany(tx: SqlExecutor, head: string, columns: number, rows: readonly (readonly SqlValue[])[], suffix = ''): Promise<void> {
  const tuple = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  let i = 0;
  for (const size of CHUNKS) {
    while (rows.length - i >= size) {
      const chunk = rows.slice(i, i + size);
      await tx.run(`${head} VALUES ${chunk.map(() => tuple).join(', ')} ${suffix}`, chunk.flat());
      i += size;
    }
  }
}
