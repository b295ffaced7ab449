import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import type { HttpTransport } from '../http/http-transport';
import { ledgerViewOf } from '../backfill/ledger-view';
import type { Inbox } from '../inbox/inbox';
import { createSource } from '../sources/registry';
import type { DeliveryReport, Source, SourceContext, WebhookAnswer, WebhookRequest } from '../sources/source';
import { addressed, CredentialFieldError } from '../sources/credential-error';
import { parseSourceCredentials, type CredentialPlace } from '../sources/source-credentials';
import type { SqlExecutor } from '../store/sql-database';

/** Processors send a few kilobytes; a body near this size is not a payment notification. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ReceiveOptions {
  /** The face's raw credential record for this source (parsed by the source's own schema). */
  credentials: unknown;
  /** Where the operator fills the credential in, so an unusable one is named as that editor labels it. */
  credentialPlace?: CredentialPlace;
  /** Replay protection: events seen before are answered 2xx and not passed on. Without it every event passes. */
  inbox?: Inbox;
  /**
   * The store the ledger is in (the inbox's), read by a source only for what its processor's read leaves untold (a
   * Clover void naming no amount is recorded at the amount the ledger holds for its sale). Without it such a record is
   * acknowledged and ignored, saying why.
   */
  store?: Pick<SqlExecutor, 'all'>;
  /** Event types the operator selected (n8n's Event Types); others are acknowledged and dropped. */
  selectedTypes?: readonly string[];
  http?: HttpTransport;
  now?: () => Date;
}

/**
 * What a trigger does with one delivery, whatever engine hosts it. The face writes `answer` exactly as it is and
 * passes `events` on. A forged or malformed delivery gets a 4xx with the reason and nothing goes further; an
 * ignored type or a duplicate gets a 2xx so the processor does not retry it for days; a mistake in our own setup
 * (no secret, an unknown source) is a 500 with the fix, so the processor keeps retrying until it is fixed.
 */
export interface WebhookOutcome {
  status: number;
  answer: WebhookAnswer;
  /** New events to pass on (already kept in the inbox when there is one). */
  events: PaymentEvent[];
  report: DeliveryReport;
  rejected?: string;
  misconfigured?: string;
}

export async function receiveWebhook(sourceOrName: string | Source<unknown>, request: WebhookRequest, options: ReceiveOptions): Promise<WebhookOutcome> {
  let source: Source<unknown>;
  let credentials: unknown;
  try {
    source = typeof sourceOrName === 'string' ? createSource(sourceOrName) : sourceOrName;
    credentials = parseSourceCredentials(source, options.credentials, options.credentialPlace);
  } catch (e) {
    if (e instanceof InputError) return misconfigured(e.message);
    throw e;
  }
  const max = source.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (request.rawBody.length > max) return rejected(413, `the body is ${request.rawBody.length} bytes, more than the ${max} a ${source.label} webhook can be`);
  const ctx: SourceContext = { http: options.http, now: options.now ?? (() => new Date()), ledger: options.store ? ledgerViewOf(options.store, source.name) : undefined };

  let verified;
  try {
    verified = await source.verify(request, credentials, ctx);
  } catch (e) {
    if (e instanceof SignatureError) return rejected(e.httpStatus, e.reason);
    // A credential field the source needs but lacks is our setup, not the processor's fault: 500, so it retries.
    if (e instanceof InputError) {
      const shown = addressed(e, source, options.credentialPlace).message;
      return e instanceof CredentialFieldError || e.field in source.env ? misconfigured(shown) : rejected(400, shown);
    }
    throw e;
  }
  const report: DeliveryReport = { accepted: [], duplicates: [], ignored: [], forged: verified.forged, control: verified.control };
  if (verified.items.length === 0 && verified.forged.length > 0) {
    return rejected(401, `every item's signature failed: ${verified.forged.map((f) => f.reason).join('; ')}`, report);
  }

  const events: PaymentEvent[] = [];
  const malformed: string[] = [];
  // A credential refused or missing while reading what an item names (a Clover merchant's payment, a SumUp
  // transaction): that item's, not the delivery's fault, unless nothing else came through.
  const unusable: string[] = [];
  for (const item of verified.items) {
    try {
      for (const event of await source.normalize(item, credentials, ctx)) {
        if (options.selectedTypes && !options.selectedTypes.includes(event.type)) report.ignored.push(`Event type "${event.type}" is not selected in this trigger`);
        else events.push(event);
      }
    } catch (e) {
      if (e instanceof CredentialFieldError) unusable.push(addressed(e, source, options.credentialPlace).message);
      else if (e instanceof IgnoredEventError) report.ignored.push(e.message);
      else if (e instanceof InputError) malformed.push(e.message);
      else throw e;
    }
  }
  // Nothing to pass on, and something not read for want of a usable credential: our setup, so 500 and the processor
  // delivers again once it is fixed (what it also carried that is ignored is ignored again then).
  if (unusable.length > 0 && events.length === 0) return misconfigured(unusable.join('; '));
  report.ignored.push(...unusable.map((m) => `not read: ${m}`));
  // One malformed item of a batch must not cost the others; a delivery with nothing but malformed items is refused.
  if (malformed.length > 0 && events.length === 0 && report.ignored.length === 0 && !verified.control) return rejected(400, malformed.join('; '), report);
  report.ignored.push(...malformed.map((m) => `malformed: ${m}`));

  let fresh = events;
  if (options.inbox && events.length > 0) {
    const kept = await options.inbox.accept(events, request.receivedAt);
    fresh = kept.fresh;
    report.duplicates = kept.duplicates;
  }
  report.accepted = fresh.map((e) => e.id);
  const answer = source.answer?.(report) ?? jsonAnswer(200, { received: true, ...compact(report) });
  return { status: answer.status, answer, events: fresh, report };
}

function compact(r: DeliveryReport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(r) as (keyof DeliveryReport)[]) {
    const v = r[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[key] = v;
  }
  return out;
}

export function jsonAnswer(status: number, body: unknown): WebhookAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

const emptyReport = (): DeliveryReport => ({ accepted: [], duplicates: [], ignored: [], forged: [] });

function rejected(status: number, reason: string, report = emptyReport()): WebhookOutcome {
  return { status, answer: jsonAnswer(status, { received: false, rejected: reason }), events: [], report, rejected: reason };
}

function misconfigured(reason: string): WebhookOutcome {
  return { status: 500, answer: jsonAnswer(500, { received: false, error: reason }), events: [], report: emptyReport(), misconfigured: reason };
}
