import { z } from 'zod/v4';
import { CURRENCY_PATTERN } from './money';
import type { Card, PaymentEvent } from './payment-event';
import {
  BIN_PATTERN,
  CARD_FUNDINGS,
  CARD_TOKEN_PATTERN,
  ENTRY_MODES,
  EVENT_KINDS,
  EVENT_STATUSES,
  LAST4_PATTERN,
  OccurredAtSchema,
  SOURCE_NAME_PATTERN,
} from './payment-event-values';

const OCCURRED_AT_PATTERN = OccurredAtSchema._zod.def.pattern!;

const KINDS = new Set<string>(EVENT_KINDS);
const MODES = new Set<string>(ENTRY_MODES);
const STATUSES = new Set<string>(EVENT_STATUSES);
const FUNDINGS = new Set<string>(CARD_FUNDINGS);

type Rec = Record<string, unknown>;
/** Stops a check: the value is not exactly a PaymentEvent, and the zod schema says why. */
const NOT_EXACT = Symbol('not exact');

/**
 * How a copy scrubs what it copies, when it does (sources/scrubbed-event.ts passes the card scrub of tokenize/):
 * `text` for every string kept (metadata keys too), metadata keys for which `dropKey` holds left out, undefined
 * values left out, and the ids a processor assigns itself kept as they are: always the event, payment, refund,
 * dispute and capture ids, and the metadata keys `references` names.
 */
export interface CopyScrub {
  text: (s: string) => string;
  dropKey: (key: string) => boolean;
  references?: readonly string[];
  /**
   * The input is a PaymentEvent before its scrub (tokenize's input), not a source's draft: zod checks it as it is,
   * so a metadata value the scrub leaves out must still be text.
   */
  checkDropped?: boolean;
}

interface Rules {
  text: (s: string) => string;
  /** The id a processor assigns, kept as it is when the copy scrubs; checked as zod does when it does not. */
  reference: (s: string) => string;
  dropKey?: (key: string) => boolean;
  referenceKeys?: readonly string[];
  /** Scrubbing drops undefined values; zod keeps an optional key given as undefined. */
  keepUndefined: boolean;
  checkDropped?: boolean;
}

const same = (s: string) => s;
const AS_ZOD: Rules = { text: same, reference: same, keepUndefined: true };

/**
 * `PaymentEventSchema.parse(input)` for an input that passes it, in a fraction of zod's time; `undefined` for any
 * other input, which the caller hands to the zod schema for its error (or for what it reads leniently: legacy ids).
 * Every webhook runs its event through this (bench/sources): zod's generic object machinery cost as much as
 * verifying the delivery. What is returned is what zod returns: a fresh copy with the schema's keys in the
 * schema's order, unknown keys left out, the currency upper-cased, an optional key given as undefined kept as
 * undefined.
 *
 * With `scrub`, the answer is the one of `PaymentEventSchema.parse(<the input scrubbed as CopyScrub says>)`, made
 * in the same single copy; with `checkDropped` as well, the one of parsing, scrubbing and parsing again (the
 * Tokenize step's), still in one copy. test/core/sources/payment-event-exact.test.ts holds all three to zod's answers.
 */
export function exactPaymentEvent(input: unknown, scrub?: CopyScrub): PaymentEvent | undefined {
  const rules: Rules = scrub
    ? { text: scrub.text, reference: same, dropKey: scrub.dropKey, referenceKeys: scrub.references, keepUndefined: false, checkDropped: scrub.checkDropped }
    : AS_ZOD;
  try {
    return eventOf(input, rules);
  } catch (e) {
    if (e === NOT_EXACT) return undefined;
    throw e;
  }
}

function fail(): never {
  throw NOT_EXACT;
}

/** Plain objects only: a class instance or a proxy is read by zod through its own rules. */
function rec(v: unknown): Rec {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail();
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail();
  return v as Rec;
}

const isText = (v: unknown): v is string => typeof v === 'string';
const nonEmpty = (s: string): string => (s.length > 0 ? s : fail());
const matching = (s: string, pattern: RegExp): string => (pattern.test(s) ? s : fail());
const oneOf = (s: string, values: Set<string>): string => (values.has(s) ? s : fail());
const bool = (v: unknown): boolean => (typeof v === 'boolean' ? v : fail());
const intIn = (v: unknown, min: number, max: number): number => (Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : fail());

/** A text field: scrubbed when the copy scrubs, then checked. */
function text(r: Rules, v: unknown, check?: (s: string) => string): string {
  if (!isText(v)) fail();
  const s = r.text(v);
  return check ? check(s) : s;
}

/** An optional key: absent stays absent; given as undefined, zod keeps it and a scrub drops it; else checked. */
function optional<T>(r: Rules, out: Rec, o: Rec, key: string, check: (r: Rules, v: unknown) => T): void {
  const v = o[key];
  if (v !== undefined) out[key] = check(r, v);
  else if (r.keepUndefined && key in o) out[key] = undefined;
}

// Module-level checks, not closures made per field: every webhook's event passes each of them.
const anyText = (r: Rules, v: unknown) => text(r, v);
const currency = (s: string) => matching(s, CURRENCY_PATTERN);
const cardToken = (s: string) => matching(s, CARD_TOKEN_PATTERN);
const tokenText = (r: Rules, v: unknown) => text(r, v, cardToken);
const last4 = (s: string) => matching(s, LAST4_PATTERN);
const bin = (s: string) => matching(s, BIN_PATTERN);
const funding = (s: string) => oneOf(s, FUNDINGS);
const entryMode = (s: string) => oneOf(s, MODES);

function money(r: Rules, v: unknown): Rec {
  const m = rec(v);
  return { minor: intIn(m.minor, 0, Number.MAX_SAFE_INTEGER), currency: text(r, m.currency, currency).toUpperCase() };
}

function identity(r: Rules, v: unknown): Rec {
  const i = rec(v);
  const kind = text(r, i.kind);
  if (kind === 'fingerprint') return { kind, value: text(r, i.value, nonEmpty) };
  if (kind !== 'token') fail();
  const out: Rec = { kind, value: tokenText(r, i.value), keyId: text(r, i.keyId, nonEmpty) };
  optional(r, out, i, 'previous', (rules, p) => (Array.isArray(p) ? p.map((t) => tokenText(rules, t)) : fail()));
  return out;
}

const last4Text = (r: Rules, v: unknown) => text(r, v, last4);
const binText = (r: Rules, v: unknown) => text(r, v, bin);
const expMonth = (_: Rules, v: unknown) => intIn(v, 1, 12);
const expYear = (_: Rules, v: unknown) => intIn(v, 2000, 2100);
const fundingText = (r: Rules, v: unknown) => text(r, v, funding);

function card(r: Rules, v: unknown): Card {
  const c = rec(v);
  const out: Rec = {};
  optional(r, out, c, 'brand', anyText);
  optional(r, out, c, 'last4', last4Text);
  optional(r, out, c, 'bin', binText);
  optional(r, out, c, 'expMonth', expMonth);
  optional(r, out, c, 'expYear', expYear);
  optional(r, out, c, 'funding', fundingText);
  out.entryMode = text(r, c.entryMode, entryMode);
  optional(r, out, c, 'wallet', anyText);
  optional(r, out, c, 'identity', identity);
  return out as Card;
}

/** An object of optional text fields, as terminal, customerHints and failure are. */
function texts(r: Rules, v: unknown, keys: readonly string[]): Rec {
  const o = rec(v);
  const out: Rec = {};
  for (const k of keys) optional(r, out, o, k, anyText);
  return out;
}

function metadata(r: Rules, v: unknown): Record<string, string> {
  if (!z.core.util.isPlainObject(v)) fail();
  const o = v as Rec;
  const out: Record<string, string> = {};
  for (const key of Object.keys(o)) {
    const value = o[key];
    if (r.keepUndefined) {
      if (key !== '__proto__') out[key] = text(r, value);
      continue;
    }
    // As the scrub copies a record: undefined and card-secret keys left out, the key scrubbed like any text.
    if (value === undefined || r.dropKey?.(key)) {
      // zod skips a __proto__ key whatever its value, so this does too.
      if (r.checkDropped && key !== '__proto__' && !isText(value)) fail();
      continue;
    }
    const k = r.text(key);
    if (k === '__proto__') continue;
    out[k] = r.referenceKeys?.includes(key) ? (isText(value) ? value : fail()) : text(r, value);
  }
  return out;
}

const TERMINAL_KEYS = ['readerId', 'locationId'];
const HINT_KEYS = ['processorCustomerId', 'email', 'phone', 'name', 'postalCode'];
const FAILURE_KEYS = ['code', 'message'];
const sourceName = (s: string) => matching(s, SOURCE_NAME_PATTERN);
const kind = (s: string) => oneOf(s, KINDS);
const status = (s: string) => oneOf(s, STATUSES);
const occurredAt = (s: string) => matching(s, OCCURRED_AT_PATTERN);

/** A processor's id: kept as it is when the copy scrubs (Rules.reference), and never empty. */
const reference = (r: Rules, v: unknown) => (isText(v) ? nonEmpty(r.reference(v)) : fail());
const toCardFalse = (_: Rules, v: unknown) => (v === false ? v : fail());
const trueOnly = (_: Rules, v: unknown) => (v === true ? v : fail());
const terminal = (r: Rules, v: unknown) => texts(r, v, TERMINAL_KEYS);
const failure = (r: Rules, v: unknown) => texts(r, v, FAILURE_KEYS);

function refund(r: Rules, v: unknown): Rec {
  const o = rec(v);
  const out: Rec = {};
  optional(r, out, o, 'id', reference);
  out.cumulative = bool(o.cumulative);
  optional(r, out, o, 'reversed', trueOnly);
  optional(r, out, o, 'toCard', toCardFalse);
  optional(r, out, o, 'unreferenced', trueOnly);
  // A reversal names its refund and counts per refund (the schema's refine says so); so does an unreferenced refund.
  if (out.reversed === true && (out.id === undefined || out.cumulative)) fail();
  if (out.unreferenced === true && (out.id === undefined || out.cumulative || out.reversed === true)) fail();
  return out;
}

function sale(r: Rules, v: unknown): Rec {
  const o = rec(v);
  const out: Rec = { voided: bool(o.voided) };
  // The processor's id of the capture, kept as it is.
  optional(r, out, o, 'captureId', reference);
  optional(r, out, o, 'adjusted', trueOnly);
  // An adjusted authorisation is the sale's own amount: never a void, never one capture's (the schema's refine says so).
  if (out.adjusted === true && (out.voided === true || out.captureId !== undefined)) fail();
  return out;
}

function dispute(r: Rules, v: unknown): Rec {
  const o = rec(v);
  const out: Rec = { id: reference(r, o.id) };
  optional(r, out, o, 'reason', anyText);
  optional(r, out, o, 'processorStatus', anyText);
  return out;
}

function eventOf(input: unknown, r: Rules): PaymentEvent {
  const e = rec(input);
  if (e.schemaVersion !== 1) fail();
  const id = isText(e.id) ? nonEmpty(r.reference(e.id)) : fail();
  const source = text(r, e.source, sourceName);
  // An id without its source's prefix is a legacy one, which the schema namespaces.
  if (!id.startsWith(`${source}:`)) fail();
  const out: Rec = {
    schemaVersion: 1,
    id,
    source,
    type: text(r, e.type, nonEmpty),
    kind: text(r, e.kind, kind),
    paymentId: reference(r, e.paymentId),
    amount: money(r, e.amount),
  };
  optional(r, out, e, 'refundedTotal', money);
  optional(r, out, e, 'refund', refund);
  out.status = text(r, e.status, status);
  out.occurredAt = text(r, e.occurredAt, occurredAt);
  out.livemode = bool(e.livemode);
  optional(r, out, e, 'card', card);
  optional(r, out, e, 'terminal', terminal);
  out.customerHints = texts(r, e.customerHints, HINT_KEYS);
  optional(r, out, e, 'failure', failure);
  optional(r, out, e, 'sale', sale);
  // A void goes on a failure, money moved on a payment (the schema's refine says so).
  if (out.sale !== undefined && ((out.sale as Rec).voided ? out.kind !== 'failure' : out.kind !== 'payment')) fail();
  optional(r, out, e, 'storedOffline', trueOnly);
  // A sale stored offline is the sale itself (the schema's refine says so).
  if (out.storedOffline === true && (out.kind !== 'payment' || out.sale !== undefined)) fail();
  optional(r, out, e, 'dispute', dispute);
  out.metadata = metadata(r, e.metadata);
  return out as PaymentEvent;
}
