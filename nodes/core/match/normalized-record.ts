import type { CountryCode } from 'libphonenumber-js';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { DEFAULT_EMAIL_RULES, type CompiledEmailRules } from './email-providers';
import type { CardDescriptor, MatchRecord } from '../contracts/match-record';
import { normalizeCity, normalizeDateOfBirth, normalizeIdNumber, normalizePostalCode, normalizeStreet, personName } from './normalize-fields';
import { canonicalEmail, normalizePhone } from './normalize-keys';
import { personalCard } from './personal-card';

/** A record as the comparison needs it: every field folded once, so comparing never normalizes again. */
export interface NormalizedRecord {
  id: string;
  given?: string;
  family?: string;
  /** Canonical mailboxes: the profile's address and every email key. */
  emails: readonly string[];
  /** E.164. */
  phones: readonly string[];
  postal?: string;
  street?: string;
  city?: string;
  dob?: string;
  /** See MatchRecord.idNumber; digits and letters only. */
  idNumber?: string;
  cards: readonly CardDescriptor[];
  tokens: readonly string[];
  /** "<processor>:<id>". */
  processorIds: readonly string[];
  /**
   * Fingerprints of `tokens` and of the cards' last 4 digits (fingerprintOf; 0 when there are none). A candidate
   * whose fingerprint shares no bit with the payment's holds none of its tokens or last 4s, which the comparison
   * then knows without reading the candidate's lists: among a million customers each such read is a cache miss.
   */
  tokenBits: number;
  last4Bits: number;
  updatedAt?: string;
}

/**
 * Two of 31 bits per value (a small-integer Bloom filter): values in common always share bits; values that share
 * bits are compared as before. Never 0 for a non-empty list.
 */
export function fingerprintOf(values: readonly string[]): number {
  let bits = 0;
  for (const v of values) {
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h >>>= 0;
    bits |= (1 << (h % 31)) | (1 << ((h >>> 16) % 31));
  }
  return bits;
}

/** Sets `r`'s fingerprints from its tokens and cards again, after they changed (a merge, new keys attached). */
export function refreshFingerprints(r: NormalizedRecord): NormalizedRecord {
  r.tokenBits = fingerprintOf(r.tokens);
  r.last4Bits = fingerprintOf(r.cards.map((c) => c.last4));
  return r;
}

export interface NormalizeOptions {
  defaultRegion: CountryCode;
  emailRules: CompiledEmailRules;
  /** Read "03/07/1985" as March 7th (US) rather than July 3rd. */
  monthFirst: boolean;
}

export const DEFAULT_NORMALIZE: NormalizeOptions = { defaultRegion: 'US', emailRules: DEFAULT_EMAIL_RULES, monthFirst: true };

/** One shared empty list: most customers have no phone, no processor id, no card on file. */
const NONE: readonly never[] = Object.freeze([]);
const orNone = <T>(list: T[]): readonly T[] => (list.length ? list : NONE);

function pushNew(list: string[], v: string | undefined): void {
  if (v && !list.includes(v)) list.push(v);
}

export function normalizeRecord(r: MatchRecord, o: NormalizeOptions = DEFAULT_NORMALIZE): NormalizedRecord {
  const name = personName(r);
  const emails: string[] = [];
  const phones: string[] = [];
  const tokens: string[] = [];
  const processorIds: string[] = [];
  pushNew(emails, canonicalEmail(r.email, o.emailRules));
  pushNew(phones, normalizePhone(r.phone, o.defaultRegion));
  for (const k of r.keys ?? []) {
    if (k.kind === 'email') pushNew(emails, canonicalEmail(k.value, o.emailRules));
    else if (k.kind === 'phone') pushNew(phones, k.value.startsWith('+') ? k.value : normalizePhone(k.value, o.defaultRegion));
    else if (k.kind === 'cardToken') pushNew(tokens, k.value);
    else if (k.kind === 'processorCustomerId') pushNew(processorIds, k.value);
  }
  const cards = r.cards?.length ? r.cards.filter((c) => /^\d{4}$/.test(c.last4)).map(sameShape) : [];
  const out: NormalizedRecord = {
    id: r.id,
    given: name.given,
    family: name.family,
    emails: orNone(emails),
    phones: orNone(phones),
    postal: normalizePostalCode(r.postalCode),
    street: normalizeStreet(r.street),
    city: normalizeCity(r.city),
    dob: normalizeDateOfBirth(r.dateOfBirth, o.monthFirst),
    cards: orNone(cards),
    tokens: orNone(tokens),
    processorIds: orNone(processorIds),
    tokenBits: fingerprintOf(tokens),
    last4Bits: fingerprintOf(cards.map((c) => c.last4)),
    updatedAt: r.updatedAt,
  };
  // Set only where there is one: payments and the store never carry it, and a million customers need not hold it.
  const idNumber = normalizeIdNumber(r.idNumber);
  if (idNumber) out.idNumber = idNumber;
  return out;
}

/**
 * Every card in one object shape, whichever fields it has: the comparison reads each candidate's cards for every
 * payment, and cards built with only the fields they carry came in dozens of shapes, which made each read a slow,
 * shape-by-shape lookup.
 */
function sameShape(c: CardDescriptor): CardDescriptor {
  return { last4: c.last4, bin: c.bin, expMonth: c.expMonth, expYear: c.expYear, brand: c.brand, wallet: c.wallet, token: c.token, processor: c.processor };
}

/** What a payment tells about its payer, as a record the matcher can compare with customers (a gift card tells nothing). */
export function recordOfEvent(event: TokenizedPaymentEvent): MatchRecord {
  const h = event.customerHints as TokenizedPaymentEvent['customerHints'] & Partial<Record<'givenName' | 'familyName' | 'street' | 'city' | 'dateOfBirth', string>>;
  const card = personalCard(event);
  const identity = card?.identity;
  const keys: { kind: 'cardToken' | 'processorCustomerId'; value: string }[] = [];
  if (identity?.kind === 'token') for (const t of [identity.value, ...(identity.previous ?? [])]) keys.push({ kind: 'cardToken', value: t });
  if (h.processorCustomerId) keys.push({ kind: 'processorCustomerId', value: `${event.source}:${h.processorCustomerId}` });
  return {
    id: `${event.source}:${event.paymentId}`,
    name: h.name,
    givenName: h.givenName,
    familyName: h.familyName,
    email: h.email,
    phone: h.phone,
    street: h.street,
    city: h.city,
    postalCode: h.postalCode,
    dateOfBirth: h.dateOfBirth,
    keys,
    cards: card?.last4 ? [descriptorOfCard(card, event.source)] : [],
  };
}

export function descriptorOfCard(card: NonNullable<TokenizedPaymentEvent['card']>, processor?: string): CardDescriptor {
  const token = card.identity?.kind === 'token' ? card.identity.value : undefined;
  return {
    last4: card.last4!,
    ...(card.bin ? { bin: card.bin.slice(0, 6) } : {}),
    ...(card.expMonth ? { expMonth: card.expMonth } : {}),
    ...(card.expYear ? { expYear: card.expYear } : {}),
    ...(card.brand ? { brand: card.brand } : {}),
    ...(card.wallet ? { wallet: card.wallet } : {}),
    ...(token && processor ? { token, processor } : {}),
  };
}
