import { InputError, issueText, type EditorPlace } from '../errors';
import { addressed, addressedAt, atPlace, credentialFieldErrorOf, inCredentialOrEnv } from './credential-error';
import type { Source } from './source';

// Parsed once per record object: the worker and Node-RED hand the same record to every delivery (n8n a new one
// per execution), and some sources' schemas (token maps, key lists) cost more to parse than to verify a body.
const parsed = new WeakMap<object, WeakMap<Source<unknown>, unknown>>();

/**
 * Where a face lets the operator fill in a source's credential (an n8n credential, a Node-RED config node): its
 * name as that editor lists it, the label of each of the source's credential fields there, and the fix in that
 * editor's words. A place without a name (n8n's credential Test, run inside the credential) names the field alone.
 * The worker and the sandbox have none: their messages name the schema's field and its environment variable.
 */
export type CredentialPlace = EditorPlace;

/**
 * The face's raw credential record → the source's typed credentials, or an InputError naming the field and the fix:
 * as `place` labels them when the face passes one ("Terminal CRM Square API → Webhook Signature Key"), otherwise by
 * the schema's field name with its environment variable.
 */
export function parseSourceCredentials<C>(source: Source<C>, raw: unknown, place?: CredentialPlace): C {
  const record = raw && typeof raw === 'object' ? raw : undefined;
  const known = record && parsed.get(record);
  if (known?.has(source as Source<unknown>)) return known.get(source as Source<unknown>) as C;
  const text = known ? undefined : valueKey(record);
  const byValue = text === undefined ? undefined : parsedByValue.get(source.credentials);
  if (byValue?.has(text!)) return byValue.get(text!) as C;
  const r = source.credentials.safeParse(raw ?? {});
  if (r.success) {
    if (record) {
      const bySource = known ?? new WeakMap<Source<unknown>, unknown>();
      bySource.set(source as Source<unknown>, r.data);
      if (!known) parsed.set(record, bySource);
    }
    if (text !== undefined) rememberByValue(source.credentials, text, r.data);
    return r.data;
  }
  const issue = r.error.issues[0]!;
  // A rule the schema words as the source's own error (polling needs a key): named as that error is, place or none.
  const asField = credentialFieldErrorOf(issue);
  if (asField) throw addressed(asField, source, place);
  if (place) throw credentialErrorIn(place, issue);
  const field = issue.path.join('.') || 'credentials';
  throw new InputError(field, `the ${source.label} credential is not usable: ${issueText(issue)}`, inCredentialOrEnv(source, [field]));
}

/**
 * n8n hands over a new record per execution, so the cache by record object misses on every delivery, and a record
 * entered in it (a WeakMap of its own) cost more than the schema's parse. A record of text fields (and lists of
 * text, as signing secrets are) is parsed the same way whatever object holds the text: its parse is kept by its
 * fields, per schema. Records the cache by object serves are never looked up here.
 */
const parsedByValue = new WeakMap<object, Map<string, unknown>>();
/** Live credentials are few (one per source, two while a secret is rotated); a map is emptied should it ever fill up. */
const MAX_BY_VALUE = 64;

function rememberByValue(schema: object, text: string, data: unknown): void {
  let byValue = parsedByValue.get(schema);
  if (!byValue) parsedByValue.set(schema, (byValue = new Map()));
  if (byValue.size >= MAX_BY_VALUE) byValue.clear();
  byValue.set(text, data);
}

/**
 * The record's fields as one text, each name and value length-prefixed so no two records share it; undefined for
 * any record that is not a plain object of text and lists of text (those go by object only).
 */
function valueKey(record: object | undefined): string | undefined {
  if (!record || Array.isArray(record)) return undefined;
  const proto = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) return undefined;
  let text = '';
  for (const key of Object.keys(record)) {
    const v = (record as Record<string, unknown>)[key];
    text += `${key.length}:${key}`;
    if (typeof v === 'string') {
      text += `s${v.length}:${v}`;
    } else if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) {
      text += `a${v.length}:`;
      for (const item of v as unknown[]) {
        if (typeof item !== 'string') return undefined;
        text += `${item.length}:${item}`;
      }
    } else {
      return undefined;
    }
  }
  return text;
}

/** The issue addressed to the place: the credential by its name there, the field by its label, the fix in its words. */
function credentialErrorIn(place: CredentialPlace, issue: { code: string; message: string; path: PropertyKey[]; params?: Record<string, unknown> }): InputError {
  const asField = credentialFieldErrorOf(issue);
  if (asField) return addressedAt(asField, place);
  const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const label = key === undefined ? undefined : (place.labels[key] ?? issue.path.map(String).join('.'));
  const problem = issueText(issue);
  if (label === undefined) return new InputError(place.name || 'credentials', problem, `correct the ${place.name || 'credential'}`);
  const at = atPlace(place, [label]);
  return new InputError(at.field, problem, at.fix);
}

/**
 * Where a process without an editor (the worker, the command line) takes a source's credential from: each field by its
 * environment variable, the fix in `fix`'s words (given the variable).
 */
export function environmentPlace(source: Pick<Source<unknown>, 'env'>, fix: (variable: string) => string): CredentialPlace {
  return { name: '', labels: source.env, fix };
}

/**
 * The variables set for a source, checked by the source's own credential schema as each delivery reads them, without
 * asking for what is left unset: a value the schema refuses, or a variable unset that one set needs beside it (a Basic
 * auth username's password, an API key's client ID), is an InputError naming that variable. What the schema asks for
 * with nothing set at all (the webhook secret) is not refused here: a source not set up answers its deliveries 500
 * naming it, so its processor retries until it is, and the other sources go on.
 */
export function checkSetSourceVariables(source: Source<unknown>, env: NodeJS.ProcessEnv): void {
  const record = sourceCredentialsFromEnv(source, env);
  const r = source.credentials.safeParse(record);
  if (r.success) return;
  const key = (issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.')}\n${issue.message}`;
  const unset = source.credentials.safeParse({});
  const asked = new Set(unset.success ? [] : unset.error.issues.map(key));
  const issue = r.error.issues.find((i) => Object.hasOwn(record, String(i.path[0])) || !asked.has(key(i)));
  if (!issue) return;
  const place = environmentPlace(source, (variable) =>
    env[variable]?.trim() ? `correct ${variable}, which the ${source.label} source reads` : `set ${variable} as well, or unset what asks for it`,
  );
  throw credentialErrorIn(place, issue);
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
