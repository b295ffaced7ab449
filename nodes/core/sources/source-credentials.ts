import { InputError, issueText } from '../errors';
import type { Source } from './source';

// Parsed once per record object: the worker and Node-RED hand the same record to every delivery (n8n a new one
// per execution), and some sources' schemas (token maps, key lists) cost more to parse than to verify a body.
const parsed = new WeakMap<object, WeakMap<Source<unknown>, unknown>>();

/** The face's raw credential record → the source's typed credentials, or an InputError naming the field and the fix. */
export function parseSourceCredentials<C>(source: Source<C>, raw: unknown): C {
  const record = raw && typeof raw === 'object' ? raw : undefined;
  const known = record && parsed.get(record);
  if (known?.has(source as Source<unknown>)) return known.get(source as Source<unknown>) as C;
  const r = source.credentials.safeParse(raw ?? {});
  if (r.success) {
    if (record) {
      const bySource = known ?? new WeakMap<Source<unknown>, unknown>();
      bySource.set(source as Source<unknown>, r.data);
      if (!known) parsed.set(record, bySource);
    }
    return r.data;
  }
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'credentials';
  throw new InputError(field, `the ${source.label} credential is not usable: ${issueText(issue)}`, fixFor(source, field));
}

function fixFor(source: Source<unknown>, field: string): string {
  const envName = source.env[field];
  return `fill in "${field}" in the ${source.label} credential${envName ? ` (or set ${envName} for the sandbox and the worker)` : ''}`;
}

/** The credential record a source's environment variables make (sandbox, Temporal worker). */
export function sourceCredentialsFromEnv(source: Source<unknown>, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(source.env)) {
    const v = env[name]?.trim();
    if (v) out[field] = v;
  }
  return out;
}
