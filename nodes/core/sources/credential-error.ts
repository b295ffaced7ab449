import { InputError, type EditorPlace } from '../errors';

/**
 * A credential the processor refused (401, 403) or a step needs and the record lacks, raised where the source
 * talks to the processor. The source knows what is needed, in the processor's words (`need`: "use an access token
 * of this seller that may read payments (PAYMENTS_READ)"); where the operator puts it is the face's to say, so
 * `addressed` gives it the field names of the editor the credential was filled in (or, with none, the schema's
 * field and its environment variable). `fields`: the credential's fields concerned, the first being `field`.
 */
export class CredentialFieldError extends InputError {
  readonly need: string;
  readonly fields: readonly string[];
  constructor(fields: string | readonly [string, ...string[]], problem: string, need: string) {
    const list: readonly string[] = typeof fields === 'string' ? [fields] : fields;
    super(list[0]!, problem, `${need}; ${list.map((f) => `"${f}"`).join(', ')} in the credential`);
    this.need = need;
    this.fields = list;
  }
}

/**
 * A credential schema's issue that is a CredentialFieldError: a rule the schema checks (polling needs a key) in the
 * same words as the error a source would raise at the processor, so a face names it the same way wherever it is found.
 * Raise it with `ctx.addIssue(credentialFieldIssue(...))`; parseSourceCredentials turns it back into the error.
 */
export function credentialFieldIssue(fields: readonly [string, ...string[]], problem: string, need: string) {
  return { code: 'custom' as const, path: [fields[0]], message: problem, params: { credentialFields: [...fields], need } };
}

/** The CredentialFieldError a schema's issue stands for (credentialFieldIssue), or undefined for any other issue. */
export function credentialFieldErrorOf(issue: { message: string; params?: Record<string, unknown> }): CredentialFieldError | undefined {
  const fields = issue.params?.credentialFields;
  const need = issue.params?.need;
  if (!Array.isArray(fields) || fields.length === 0 || typeof need !== 'string') return undefined;
  return new CredentialFieldError(fields as [string, ...string[]], issue.message, need);
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** Where the operator sets these fields at `place`: "Credential → Label" (the labels alone without a name), and the fix in its words. */
export function atPlace(place: EditorPlace, labels: readonly string[]): { field: string; fix: string } {
  const shown = listed(labels);
  return { field: place.name ? `${place.name} → ${shown}` : shown, fix: place.fix(shown) };
}

/** Where to set these fields without an editor (worker, sandbox, CLI): the source's credential, or its environment variables. */
export function inCredentialOrEnv(source: { label: string; env: Readonly<Record<string, string>> }, fields: readonly string[]): string {
  const envs = fields.map((f) => source.env[f]).filter((v): v is string => v !== undefined);
  return `fill in ${listed(fields.map((f) => `"${f}"`))} in the ${source.label} credential${envs.length > 0 ? ` (or set ${listed(envs)} for the sandbox and the worker)` : ''}`;
}

/**
 * The error as the operator can act on it: a CredentialFieldError named by `place` (its credential's name and field
 * labels there, the fix in its words), or without a place by the source's credential and environment variables;
 * any other error as it is.
 */
export function addressed<E>(e: E, source: { label: string; env: Readonly<Record<string, string>> }, place?: EditorPlace): E | InputError {
  if (!(e instanceof CredentialFieldError)) return e;
  if (place) return addressedAt(e, place);
  return new InputError(e.field, e.problem, `${e.need}; ${inCredentialOrEnv(source, e.fields)}`);
}

/** The error named by `place`: its credential's name and field labels there, the need and the fix in its words. */
export function addressedAt(e: CredentialFieldError, place: EditorPlace): InputError {
  const at = atPlace(place, e.fields.map((f) => place.labels[f] ?? f));
  return new InputError(at.field, e.problem, `${e.need}; ${at.fix}`);
}
