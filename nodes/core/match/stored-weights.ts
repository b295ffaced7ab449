import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { DEFAULT_WEIGHTS, FIELDS, validWeights, type ComparedField, type MatchWeights } from './weights';

export interface StoredWeights {
  weights: MatchWeights;
  learntAt: string;
  diagnostic?: string;
  /** Fields compared now that the stored weights did not know (learnt before they existed): built-in weights. */
  defaulted?: ComparedField[];
}

/** What is kept: m and u per field, named, so weights outlive a field added to the comparison later. */
interface StoredForm extends MatchWeights {
  fields?: string[];
}

/** The fields, in order, of weights stored before they were named (schema 11 as first shipped). */
const UNNAMED_FIELDS: readonly ComparedField[] = ['givenName', 'familyName', 'email', 'phone', 'address', 'dateOfBirth', 'card'];

/** The stored rows matched to today's fields by name; a field they lack keeps its built-in m and u. */
function fromStored(stored: StoredForm): { weights: MatchWeights; defaulted: ComparedField[] } | undefined {
  if (!Array.isArray(stored.m) || !Array.isArray(stored.u)) return undefined;
  const names = Array.isArray(stored.fields) ? stored.fields : UNNAMED_FIELDS;
  if (stored.m.length !== names.length || stored.u.length !== names.length) return undefined;
  const m: number[][] = [];
  const u: number[][] = [];
  const defaulted: ComparedField[] = [];
  FIELDS.forEach((f, i) => {
    const at = names.indexOf(f.field);
    if (at < 0) defaulted.push(f.field);
    m.push([...(at < 0 ? DEFAULT_WEIGHTS.m[i]! : stored.m[at]!)]);
    u.push([...(at < 0 ? DEFAULT_WEIGHTS.u[i]! : stored.u[at]!)]);
  });
  return { weights: { m, u }, defaulted };
}

export async function saveMatchWeights(db: SqlDatabase, weights: MatchWeights, diagnostic: string, scope = 'store'): Promise<StoredWeights> {
  const learntAt = new Date().toISOString();
  await db.run(
    `INSERT INTO match_weights (scope, weights, diagnostic, learnt_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(scope) DO UPDATE SET weights = excluded.weights, diagnostic = excluded.diagnostic, learnt_at = excluded.learnt_at`,
    [scope, JSON.stringify({ fields: FIELDS.map((f) => f.field), m: weights.m, u: weights.u } satisfies StoredForm), diagnostic, learntAt],
  );
  return { weights, learntAt, diagnostic };
}

/**
 * The stored weights, or undefined when none were learnt (or the store predates schema 11, or what is stored no
 * longer fits the comparison levels: then the built-in weights are the safe choice). A field compared now that
 * was not when they were learnt gets its built-in weights, listed in `defaulted`; the others keep what was learnt.
 */
export async function loadMatchWeights(db: SqlExecutor, scope = 'store'): Promise<StoredWeights | undefined> {
  let row: { weights: string; diagnostic: string | null; learnt_at: string } | undefined;
  try {
    row = await db.get('SELECT weights, diagnostic, learnt_at FROM match_weights WHERE scope = ?', [scope]);
  } catch {
    return undefined;
  }
  if (!row) return undefined;
  let read: ReturnType<typeof fromStored>;
  try {
    read = fromStored(JSON.parse(row.weights) as StoredForm);
  } catch {
    return undefined;
  }
  if (!read || !validWeights(read.weights)) return undefined;
  return {
    weights: read.weights, learntAt: row.learnt_at,
    ...(row.diagnostic ? { diagnostic: row.diagnostic } : {}),
    ...(read.defaulted.length ? { defaulted: read.defaulted } : {}),
  };
}

/** The store behind a change source, when it is the pack's SQL store (its index scope is the database). */
export function storeOf(scope: unknown): SqlExecutor | undefined {
  const s = scope as Partial<SqlDatabase> | undefined;
  return s && typeof s.get === 'function' && (s.dialect === 'sqlite' || s.dialect === 'postgres') ? (s as SqlDatabase) : undefined;
}
