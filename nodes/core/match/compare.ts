import { damerauWithin } from './edit-distance';
import { jaroWinkler, withinOneEdit } from './jaro-winkler';
import type { CardDescriptor } from '../contracts/match-record';
import { nicknamesAgree } from './nicknames';
import type { NormalizedRecord } from './normalized-record';
import { F, FIELDS, MISSING } from './weights';

/** How often a value occurs among the indexed customers (0–1), for term-frequency adjusted weights. */
export interface ValueFrequencies {
  given(v: string): number | undefined;
  family(v: string): number | undefined;
  postal(v: string): number | undefined;
  /** A mailbox several records hold (a family's, a shop's) says less than one only its owner uses. */
  email?(v: string): number | undefined;
  /** A placeholder identifier many records hold ("0000000", "n/a") says little; one person's own says a lot. */
  idNumber?(v: string): number | undefined;
}

export function givenLevel(a: string | undefined, b: string | undefined): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  if (nicknamesAgree(a, b)) return 1;
  const jw = jaroWinkler(a, b);
  if (jw >= 0.92) return 2;
  if (jw >= 0.88) return 3;
  if (jw >= 0.8 || ((a.length === 1 || b.length === 1) && a[0] === b[0])) return 4;
  return 5;
}

export function familyLevel(a: string | undefined, b: string | undefined): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const jw = jaroWinkler(a, b);
  if (jw >= 0.92) return 1;
  if (jw >= 0.88) return 2;
  // double-barrelled or married names: "smithjones" and "smith"
  if (jw >= 0.8 || (Math.min(a.length, b.length) >= 3 && (a.includes(b) || b.includes(a)))) return 3;
  return 4;
}

const letters = (s: string) => s.replace(/[^a-z]/g, '');
/** The email level "one typo apart": at the same provider, or one a typo of the other. */
const EMAIL_ONE_TYPO = 2;
/** The email level "similar name": two mailboxes built from one name ("ana.lopez77@", "analopez@"). */
export const EMAIL_SIMILAR_NAME = 3;
/** The address level "same postal code", whose weight is term-frequency adjusted. */
export const ADDRESS_SAME_POSTAL = 2;

const TYPO_MIN_LOCAL_LENGTH = 5;

function emailLevel(as: readonly string[], bs: readonly string[]): number {
  if (!as.length || !bs.length) return MISSING;
  let best = 4;
  for (const a of as) {
    const ai = a.lastIndexOf('@');
    for (const b of bs) {
      if (a === b) return 0;
      const bi = b.lastIndexOf('@');
      const la = a.slice(0, ai);
      const lb = b.slice(0, bi);
      const da = a.slice(ai + 1);
      const db = b.slice(bi + 1);
      const domainClose = da === db || withinOneEdit(da, db);
      if (la === lb && la.length >= 4 && !domainClose) best = Math.min(best, 1);
      if (best <= 2) continue;
      // One edit is a typo only in a mailbox name long enough to carry one: "di@" and "fi@" are two people.
      const longEnough = Math.min(la.length, lb.length) >= TYPO_MIN_LOCAL_LENGTH;
      if (domainClose && longEnough && (withinOneEdit(la, lb) || jaroWinkler(la, lb) >= 0.94)) best = 2;
      else if (best > 3) {
        // the same person's second address is usually built from the same name: "ana.lopez77@" and "analopez@"
        const na = letters(la);
        const nb = letters(lb);
        if (na.length >= 4 && nb.length >= 4 && jaroWinkler(na, nb) >= 0.9) best = 3;
      }
    }
  }
  return best;
}

/** The mailbox two records share, when they do. */
function sharedEmail(a: NormalizedRecord, b: NormalizedRecord): string | undefined {
  for (const e of a.emails) if (b.emails.includes(e)) return e;
  return undefined;
}

function phoneLevel(as: readonly string[], bs: readonly string[]): number {
  if (!as.length || !bs.length) return MISSING;
  let best = 2;
  for (const a of as) {
    for (const b of bs) {
      if (a === b) return 0;
      if (a.length === b.length && withinOneEdit(a, b)) best = 1;
    }
  }
  return best;
}

const houseNumberOf = (street: string) => /\d+/.exec(street)?.[0];

/**
 * One street written two ways: alike as a whole ("12 oak st", "12 oka st"), or the same house number and at
 * least half of the words alike ("3 light st", "3 light setreet"; "3 light st apt 4", "3 light st").
 */
function streetsAgree(a: string, b: string): boolean {
  if (a === b) return true;
  const house = houseNumberOf(a);
  const other = houseNumberOf(b);
  // "100 pine st" and "101 pine st" are neighbours, however alike they read
  if (house && other && house !== other) return false;
  if (jaroWinkler(a, b) >= 0.93) return true;
  if (!house || !other) return false;
  const wa = a.split(' ').filter((w) => w.length > 1 && !/^\d+$/.test(w));
  const wb = b.split(' ').filter((w) => w.length > 1 && !/^\d+$/.test(w));
  if (!wa.length || !wb.length) return false;
  let alike = 0;
  for (const x of wa) if (wb.some((y) => x === y || (x.length >= 4 && jaroWinkler(x, y) >= 0.9))) alike++;
  return alike * 2 >= Math.min(wa.length, wb.length) && alike > 0;
}

/** A postal code with one character typed wrong ("4223", "4233"). */
const postalClose = (a: string, b: string) => a.length === b.length && a.length >= 4 && withinOneEdit(a, b);

function addressLevel(a: NormalizedRecord, b: NormalizedRecord): number {
  const streetSame = !!a.street && !!b.street && streetsAgree(a.street, b.street);
  const citySame = !!a.city && !!b.city && (a.city === b.city || jaroWinkler(a.city, b.city) >= 0.93);
  if (a.postal && b.postal) {
    if (a.postal === b.postal) return streetSame ? 0 : 2;
    if (streetSame) return 1;
    return citySame || postalClose(a.postal, b.postal) ? 3 : 4;
  }
  if (streetSame) return citySame ? 0 : 1;
  if (citySame) return 3;
  if ((a.city && b.city) || (a.street && b.street)) return 4;
  return MISSING;
}

function dobLevel(a: string | undefined, b: string | undefined): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return 1;
  const same = Number(ya === yb) + Number(ma === mb) + Number(da === db);
  if (same === 2 && (ya === yb ? withinOneEdit(ma === mb ? da! : ma!, ma === mb ? db! : mb!) : withinOneEdit(ya!, yb!))) return 2;
  if (ma === mb && da === db && Math.abs(Number(ya) - Number(yb)) === 1) return 3;
  return 4;
}

/** One slip counts as such in an identifier of this many characters or more, two in one of at least 6. */
const ID_ONE_EDIT_MIN_LENGTH = 4;
const ID_TWO_EDITS_MIN_LENGTH = 6;

/**
 * Same, one keystroke off (a wrong, missing, extra or swapped digit), two off, or different. In a short number one
 * slip already makes another person's: "123" and "124" are two members, "5304218" and "5304281" one.
 */
export function idNumberLevel(a: string | undefined, b: string | undefined): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  const shorter = Math.min(a.length, b.length);
  if (shorter < ID_ONE_EDIT_MIN_LENGTH) return 3;
  const d = damerauWithin(a, b, 2);
  if (d === 1) return 1;
  if (d === 2 && shorter >= ID_TWO_EDITS_MIN_LENGTH) return 2;
  return 3;
}

/** Same key id ("ctok_k1_…" and "ctok_k1_…"), compared in place: this runs for every candidate's cards. */
function sameKey(a: string, b: string): boolean {
  for (let i = 5; i < a.length && i < b.length; i++) {
    const c = a.charCodeAt(i);
    if (c !== b.charCodeAt(i)) return false;
    if (c === 95) return true;
  }
  return false;
}

function cardPairLevel(a: CardDescriptor, b: CardDescriptor): number {
  if (a.last4 !== b.last4) return 4;
  // One processor, one key, two tokens: two different cards, however alike their printed digits.
  if (a.token && b.token && a.processor === b.processor && a.token !== b.token && sameKey(a.token, b.token)) return 4;
  const expSame = a.expMonth !== undefined && a.expMonth === b.expMonth && a.expYear === b.expYear;
  const binSame = !!a.bin && a.bin === b.bin;
  if (binSame && expSame) return 1;
  if (expSame) return 2;
  if (binSame) return 3;
  return 4;
}

function cardLevel(a: NormalizedRecord, b: NormalizedRecord): number {
  // The fingerprints answer most candidates without reading their token and card lists (normalized-record.ts).
  if ((a.tokenBits & b.tokenBits) !== 0) for (const t of a.tokens) if (b.tokens.includes(t)) return 0;
  // Tokens of different processors live in different namespaces: two tokens differing says nothing.
  if (a.last4Bits === 0 || b.last4Bits === 0) return MISSING;
  // No last 4 in common: every pair of cards is two different cards.
  if ((a.last4Bits & b.last4Bits) === 0) return 4;
  let best = 4;
  for (const ca of a.cards) for (const cb of b.cards) best = Math.min(best, cardPairLevel(ca, cb));
  return best;
}

/** A mailbox whose name is the person's name ("ana.lopez77@", "alopez@", "lopez.a@"), as many are built. */
function builtFromName(email: string, given: string | undefined, family: string | undefined): boolean {
  if (!family) return false;
  const local = letters(email.slice(0, email.lastIndexOf('@')));
  return local.includes(family) && (!given || local.includes(given) || local.startsWith(given[0]!) || local.endsWith(given[0]!));
}

/**
 * Two mailboxes built from one name say no more than the names themselves once those agree: people who share a
 * name pick alike addresses ("ana.lopez@" at two providers, "analopez@" and "anelopez@"). Only a mailbox that is
 * the same counts then, and for as much as its frequency allows.
 */
export function emailSaysNoMore(levels: Int8Array, a: NormalizedRecord, b: NormalizedRecord): boolean {
  const l = levels[F.email]!;
  if (l <= 0 || l === FIELDS[F.email]!.levels.length - 1) return false;
  const g = levels[F.given]!;
  const f = levels[F.family]!;
  // Names that agree at any level short of different (a typo, an initial): the mailbox built from them repeats it.
  if (!(g >= 0 && g < FIELDS[F.given]!.levels.length - 1 && f >= 0 && f < FIELDS[F.family]!.levels.length - 1)) return false;
  if (l === EMAIL_SIMILAR_NAME) return true;
  const builtA = builtFromName(a.emails[0]!, a.given, a.family);
  const builtB = builtFromName(b.emails[0]!, b.given, b.family);
  // One typo at the same provider is how a mailbox is mistyped, unless both are the names themselves; the same
  // name at another provider is how namesakes' mailboxes look ("jack.smith@" at two providers).
  return l === EMAIL_ONE_TYPO ? builtA && builtB : builtA || builtB;
}

export interface Comparison {
  levels: Int8Array;
  /** Total log2 likelihood ratio over the fields. */
  weight: number;
  /**
   * The part of `weight` that agreement on what a household shares (family name, address, phone) contributed.
   * When the given names differ, that agreement says "same household", not "same person".
   */
  household: number;
  /** The given and family name of `a` agreed with `b` only when swapped. */
  swapped: boolean;
}

/** The higher of a name's frequencies as a given and as a family name. */
function eitherField(tf: ValueFrequencies | undefined, v: string): number | undefined {
  if (!tf) return undefined;
  const g = tf.given(v);
  const f = tf.family(v);
  return g === undefined ? f : f === undefined ? g : Math.max(g, f);
}

/** Weight of one field's level, term-frequency adjusted for exact names, postal codes, mailboxes and identifiers. */
function levelWeight(field: number, level: number, lw: readonly Float64Array[], m: readonly (readonly number[])[], tfU: number | undefined): number {
  if (level === MISSING) return 0;
  if (tfU !== undefined && tfU > 0) return Math.log2(m[field]![level]! / tfU);
  return lw[field]![level]!;
}

/**
 * Compares two records field by field. Names are compared as written and with given and family name swapped
 * ("Lopez Ana" on a card), and the better reading counts.
 */
export function compareRecords(
  a: NormalizedRecord,
  b: NormalizedRecord,
  lw: readonly Float64Array[],
  m: readonly (readonly number[])[],
  tf?: ValueFrequencies,
  levels: Int8Array = new Int8Array(FIELDS.length),
): Comparison {
  let g = givenLevel(a.given, b.given);
  let f = familyLevel(a.family, b.family);
  let familyWeight = levelWeight(F.family, f, lw, m, f === 0 ? tf?.family(b.family!) : undefined);
  let nameWeight = levelWeight(F.given, g, lw, m, g === 0 ? tf?.given(b.given!) : undefined) + familyWeight;
  let swapped = false;
  if ((g > 0 || f > 0) && (a.given || a.family)) {
    const sg = givenLevel(a.family, b.given);
    const sf = familyLevel(a.given, b.family);
    // A swapped name is rare in the field it landed in ("anderson" as a given name): count it as common as it is
    // in either field, or a swap would weigh twice what the same names in place do.
    const sfw = levelWeight(F.family, sf, lw, m, sf === 0 ? eitherField(tf, b.family!) : undefined);
    const sw = levelWeight(F.given, sg, lw, m, sg === 0 ? eitherField(tf, b.given!) : undefined) + sfw;
    if (sw > nameWeight) {
      [g, f, nameWeight, familyWeight, swapped] = [sg, sf, sw, sfw, true];
    }
  }
  levels[F.given] = g;
  levels[F.family] = f;
  levels[F.email] = emailLevel(a.emails, b.emails);
  levels[F.phone] = phoneLevel(a.phones, b.phones);
  levels[F.address] = addressLevel(a, b);
  levels[F.dob] = dobLevel(a.dob, b.dob);
  levels[F.card] = cardLevel(a, b);
  levels[F.id] = idNumberLevel(a.idNumber, b.idNumber);
  let weight = nameWeight;
  let household = Math.max(0, familyWeight);
  const emailNoMore = emailSaysNoMore(levels, a, b);
  for (let i: number = F.email; i < FIELDS.length; i++) {
    const l = levels[i]!;
    if (i === F.email && emailNoMore) continue;
    const tfU = !tf || l !== 0 && l !== ADDRESS_SAME_POSTAL ? undefined
      : i === F.address && l === ADDRESS_SAME_POSTAL ? tf.postal(b.postal!)
      : i === F.email && l === 0 ? tf.email?.(sharedEmail(a, b)!)
      : i === F.id && l === 0 ? tf.idNumber?.(b.idNumber!)
      : undefined;
    const w = levelWeight(i, l, lw, m, tfU);
    weight += w;
    if ((i === F.address || i === F.phone) && w > 0) household += w;
  }
  return { levels, weight, household, swapped };
}
