import type { HttpRequest, HttpResponse } from '../../http/http-transport';
import { pathOf } from '../../http/url-path';
import { describeBody } from './call-crm';
import { CrmTransientError } from './crm-errors';
import { isRecord } from '../../json/json-values';

/**
 * Reading a CRM answer whose shape is not the documented one (a body missing a list, a null where a record was,
 * HTML or an empty body from a proxy in between) without a TypeError: such an answer is a CrmTransientError that
 * names the CRM, the request and what was wrong, so the drain waits and sends again instead of stopping on
 * "Cannot read properties of undefined". Only the shape is checked; a well-formed answer reads as before.
 */
export interface Answer {
  /** The adapter's name, e.g. hubspot. */
  crm: string;
  /** The vendor as an operator knows it, e.g. HubSpot. */
  vendor: string;
  req: Pick<HttpRequest, 'method' | 'url'>;
  res: Pick<HttpResponse, 'status' | 'body'>;
  /** What happens next, e.g. "the records are sent again". */
  then: string;
}

/** The answer cannot be read: `what` says how, e.g. "without a results list". */
export function unreadableAnswer(a: Answer, what: string): CrmTransientError {
  return new CrmTransientError(
    a.crm,
    `${a.vendor} answered ${a.res.status} to ${a.req.method} ${pathOf(a.req.url)} ${what} — the CRM or a proxy in between answered something else than its API documents; ${a.then}`,
  );
}

/** The body as a JSON object; an empty body, text or HTML is unreadable. */
export function objectBody(a: Answer): Record<string, unknown> {
  const body = a.res.body;
  if (isRecord(body)) return body;
  if (body === undefined || body === null || body === '') throw unreadableAnswer(a, 'with an empty body');
  throw unreadableAnswer(a, `with a body that is not a JSON object: ${describeBody(body).slice(0, 120)}`);
}

/** A list the answer may leave out (none: empty); anything else that is not a list is unreadable. */
export function listAt(a: Answer, value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw unreadableAnswer(a, `with ${name} that is not a list (${describeBody(value).slice(0, 60)})`);
}

/** As listAt, and every entry must be an object: records the caller cannot do without (a page of the change feed). */
export function recordsAt(a: Answer, value: unknown, name: string): Record<string, unknown>[] {
  const list = listAt(a, value, name);
  if (!list.every(isRecord)) throw unreadableAnswer(a, `with an entry of ${name} that is not an object`);
  return list as Record<string, unknown>[];
}

/**
 * Every id these CRMs give is a number or a token of letters, digits and - . _ : (HubSpot's and Zoho's digits,
 * Salesforce's 18 characters, Dataverse's GUIDs); text with spaces or markup (an HTML page in its place) is none.
 */
const ID_TEXT = /^[A-Za-z0-9._:-]{1,128}$/;

/** A record id as the CRM gives it (text or a number); undefined when it is neither. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && ID_TEXT.test(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
