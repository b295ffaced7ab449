import { scrubPan } from './pan-scrub';

/**
 * Errors a user can act on. Every message names the field that is wrong and what to do about it,
 * because the people reading them are operators in a flow editor, not the authors of this code.
 */
export class InputError extends Error {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
  constructor(field: string, problem: string, fix: string) {
    // Scrubbed here, once for every message: a problem often quotes the delivery's value ("holds \"4242…\", not a
    // time"), and the message is answered to the processor, logged, put in a report or in a Temporal failure.
    [field, problem, fix] = [scrubPan(field), scrubPan(problem), scrubPan(fix)];
    super(`${field}: ${problem}. Fix: ${fix}`);
    this.name = 'InputError';
    this.field = field;
    this.problem = problem;
    this.fix = fix;
  }
}

/**
 * Where a face lets the operator set a group of values (an n8n credential, a Node-RED config node), for messages:
 * its name as the editor lists it, each field's label there, and the fix in that editor's words.
 */
export interface EditorPlace {
  /** "Stripe Terminal API", "Stripe account". */
  name: string;
  /** The core's field names → the labels the operator sees there; a field without one keeps its own name. */
  labels: Readonly<Record<string, string>>;
  fix(label: string): string;
}

/**
 * The same error under the name the operator set the value by, where a face calls a core setting something else
 * (the store location is the CLI's --store, the worker's TERMINAL_CRM_STORE_URL); any other error as it is.
 */
export function renamedField(e: unknown, field: string, name: string): unknown {
  return e instanceof InputError && e.field === field && field !== name ? new InputError(name, e.problem, e.fix) : e;
}

/**
 * Runs `read`; an InputError it throws for `field` or one of its parts ("segmentConfig.flags") is named under `name`
 * instead ("Advanced.flags"), where a face's box holds what the core parses under its own name.
 */
export function renamedPrefix<T>(read: () => T, field: string, name: string): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof InputError) || field === name || !(e.field === field || e.field.startsWith(`${field}.`))) throw e;
    throw new InputError(`${name}${e.field.slice(field.length)}`, e.problem, e.fix);
  }
}

/** A webhook whose signature does not verify. Faces answer it with `httpStatus` and write nothing. */
export class SignatureError extends Error {
  readonly httpStatus = 400;
  readonly reason: string;
  constructor(reason: string) {
    // A header's value quoted back (a timestamp that is not one) is the sender's text: scrubbed as InputError's are.
    reason = scrubPan(reason);
    super(`Webhook signature rejected: ${reason}`);
    this.name = 'SignatureError';
    this.reason = reason;
  }
}

/** An event the source understands but that this pack deliberately does not process (e.g. a reader status ping). */
export class IgnoredEventError extends Error {
  readonly eventType: string;
  /** Why, without the event type (what a lister's note quotes). */
  readonly why: string;
  constructor(eventType: string, why: string) {
    // The type is the delivery's own text, and the reason may quote its values: scrubbed as InputError's are.
    [eventType, why] = [scrubPan(eventType), scrubPan(why)];
    super(`Event type "${eventType}" is not processed: ${why}`);
    this.name = 'IgnoredEventError';
    this.eventType = eventType;
    this.why = why;
  }
}

/**
 * A schema issue in an operator's words. zod says "Invalid input: expected string, received undefined" (v4) or
 * "Required" (v3) for a setting left out; "is missing" reads as what to do. Anything else is zod's own message.
 */
export function issueText(issue: { code: string; message: string }): string {
  if (issue.code === 'invalid_type' && (/received undefined$/.test(issue.message) || issue.message === 'Required')) return 'is missing';
  // zod v4's enum refusal, 'Invalid option: expected one of "us"|"eu"', as the choices a person reads.
  const choices = /^Invalid option: expected one of (.+)$/.exec(issue.message);
  if (issue.code === 'invalid_value' && choices) return `is not one of its choices: ${choices[1]!.split('|').map((c) => c.replace(/^"(.*)"$/, '$1')).join(', ')}`;
  return issue.message;
}

/** A value as a message quotes it: an object or a list (an expression's) as its JSON, never "[object Object]". */
export function shown(value: unknown): string {
  return value !== null && typeof value === 'object' ? (JSON.stringify(value) ?? String(value)) : String(value);
}

/** A setting given none of its choices (a flow or workflow edited by hand, an expression), refused by its label; `fix` in the face's words. */
export function notOneOfItsChoices(label: string, value: unknown, fix: string): InputError {
  return new InputError(label, `"${shown(value)}" is not one of its choices`, fix);
}
