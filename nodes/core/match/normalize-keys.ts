import { domainToUnicode } from 'node:url';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { MatchKey } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { DEFAULT_EMAIL_RULES, DOMAIN_ALIASES, type CompiledEmailRules } from './email-providers';
import { personalCard } from './personal-card';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The address as the customer wrote it, trimmed and lowercased: what a CRM record shows. Letters with accents are
 * in their composed form (NFC): "é" typed on one device and "e" + U+0301 on another are one address.
 */
export function normalizeEmail(email: string | undefined): string | undefined {
  let e = email?.trim();
  if (e && NON_ASCII.test(e)) e = e.normalize('NFC');
  e = e?.toLowerCase();
  return e && EMAIL.test(e) ? e : undefined;
}

/**
 * An internationalized domain in one spelling, its Unicode one: "xn--mnchen-3ya.de" (what DNS and many forms
 * store) and "münchen.de" are one domain. A domain the IDNA rules refuse is kept as written.
 */
function domainOf(written: string): string {
  return NON_ASCII.test(written) || written.includes('xn--') ? domainToUnicode(written) || written : written;
}

/**
 * Mailboxes a clerk or a form types where the customer gave no address ("noreply@shop.com", "no.email@gmail.com",
 * "none@none.com"), written without dots, dashes and underscores: they name nobody, and as a match key one would
 * join every customer who gave none.
 */
const PLACEHOLDER_MAILBOXES = new Set([
  'noreply', 'donotreply', 'dontreply', 'noemail', 'nomail', 'noaddress', 'noemailaddress', 'none', 'null', 'unknown',
  'notprovided', 'declined', 'refused',
]);

/**
 * The mailbox an address delivers to, as the match key: case and surrounding space dropped, and where the
 * provider ignores them, dots and "+tags" in the local part ("J.Doe+shop@GoogleMail.com" → "jdoe@gmail.com").
 * Other domains keep their local part as written: for them "j.doe" and "jdoe" may be two people. An
 * internationalized domain is written in Unicode, whichever spelling the address came in (domainOf). A placeholder
 * mailbox (PLACEHOLDER_MAILBOXES) is no key.
 */
export function canonicalEmail(email: string | undefined, rules: CompiledEmailRules = DEFAULT_EMAIL_RULES): string | undefined {
  const e = normalizeEmail(email);
  if (!e) return undefined;
  const at = e.lastIndexOf('@');
  let local = e.slice(0, at);
  const rawDomain = domainOf(e.slice(at + 1));
  const domain = DOMAIN_ALIASES[rawDomain] ?? rawDomain;
  if (rules.plus.has(rawDomain) || rules.plus.has(domain)) {
    const plus = local.indexOf('+');
    if (plus > 0) local = local.slice(0, plus);
  }
  if (rules.dots.has(rawDomain) || rules.dots.has(domain)) local = local.replaceAll('.', '');
  if (!local || PLACEHOLDER_MAILBOXES.has(local.replace(/[._-]/g, ''))) return undefined;
  return `${local}@${domain}`;
}

/** Countries that share the North American numbering plan's national format (area code + 7 digits). */
const NANP_REGIONS = new Set(['US', 'CA']);
const NANP = /^(?:\+?1)?([2-9]\d{2}[2-9]\d{6})$/;
const PHONE_CACHE_LIMIT = 20_000;
const phoneCache = new Map<string, string | null>();

/**
 * Whether libphonenumber holds "+1" + these ten digits valid, asked once per area code and exchange (NPA-NXX, the
 * first six digits) and remembered in one byte each (0 not asked yet, 1 valid, 2 not). Its North American patterns
 * decide on those six digits alone: with libphonenumber-js 1.13.16 every NPA-NXX from 200-200 to 999-999 gave one
 * answer for the line numbers 0000, 0123, 4567, 5309 and 9999.
 */
let nanpPrefixValid: Uint8Array | undefined;
function validNanp(tenDigits: string): boolean {
  const slot = Number(tenDigits.slice(0, 6)) - 200_000;
  nanpPrefixValid ??= new Uint8Array(800_000);
  let known = nanpPrefixValid[slot]!;
  if (known === 0) {
    known = parsePhoneNumberFromString(`+1${tenDigits}`)?.isValid() ? 1 : 2;
    nanpPrefixValid[slot] = known;
  }
  return known === 1;
}

/**
 * E.164, or undefined when the number is not a valid phone number for the given default region. North American
 * numbers in their usual spellings take a shortcut: parsing with full metadata costs tens of microseconds, the
 * shortcut well under one once its area code and exchange were checked (validNanp), and both give the same "+1" +
 * ten digits, or none for a number no line has ("555-555-5555", the placeholder clerks type, joined strangers).
 */
export function normalizePhone(phone: string | undefined, defaultRegion: CountryCode = 'US'): string | undefined {
  const raw = phone?.trim();
  if (!raw) return undefined;
  const compact = raw.replace(/[\s().-]/g, '');
  if (NANP_REGIONS.has(defaultRegion) || compact.startsWith('+1')) {
    const m = NANP.exec(compact);
    if (m && (compact.startsWith('+1') || !compact.startsWith('+'))) return validNanp(m[1]!) ? `+1${m[1]}` : undefined;
  }
  const cacheKey = `${defaultRegion}|${compact}`;
  const cached = phoneCache.get(cacheKey);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parsePhoneNumberFromString(raw, { defaultCountry: defaultRegion, extract: false });
  const e164 = parsed?.isValid() ? parsed.number : null;
  if (phoneCache.size >= PHONE_CACHE_LIMIT) phoneCache.clear();
  phoneCache.set(cacheKey, e164);
  return e164 ?? undefined;
}

export interface EventKeys {
  /** Keys to attach to the customer this event belongs to. */
  attach: MatchKey[];
  /** Keys to look up: `attach` plus the card's tokens under retired keys and emails as stored before canonical keys. */
  lookup: MatchKey[];
}

/** The match keys an event carries, normalized, most specific first; a gift card's token is none (personal-card.ts). */
export function keysOfEvent(
  event: TokenizedPaymentEvent,
  defaultRegion: CountryCode = 'US',
  emailRules: CompiledEmailRules = DEFAULT_EMAIL_RULES,
): EventKeys {
  const attach: MatchKey[] = [{ kind: 'paymentId', value: `${event.source}:${event.paymentId}` }];
  const h = event.customerHints;
  if (h.processorCustomerId) attach.push({ kind: 'processorCustomerId', value: `${event.source}:${h.processorCustomerId}` });
  const email = canonicalEmail(h.email, emailRules);
  if (email) attach.push({ kind: 'email', value: email });
  const phone = normalizePhone(h.phone, defaultRegion);
  if (phone) attach.push({ kind: 'phone', value: phone });
  const identity = personalCard(event)?.identity;
  if (identity?.kind === 'token') attach.push({ kind: 'cardToken', value: identity.value });
  const lookup = [...attach];
  const plain = normalizeEmail(h.email);
  if (plain && email && plain !== email) lookup.push({ kind: 'email', value: plain });
  if (identity?.kind === 'token') for (const t of identity.previous ?? []) lookup.push({ kind: 'cardToken', value: t });
  return { attach, lookup };
}
