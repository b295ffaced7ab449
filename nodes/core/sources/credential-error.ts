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
  if (place) {
    const at = atPlace(place, e.fields.map((f) => place.labels[f] ?? f));
    return new InputError(at.field, e.problem, `${e.need}; ${at.fix}`);
  }
  return new InputError(e.field, e.problem, `${e.need}; ${inCredentialOrEnv(source, e.fields)}`);
}
