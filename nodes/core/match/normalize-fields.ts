import { transliterate } from 'transliteration';

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Lowercase ASCII letters and digits separated by single spaces. Other scripts are transliterated first, so
 * "Jürgen", "Jurgen" and "Юрген" compare as the spellings of one name they are.
 */
export function foldText(s: string | undefined): string {
  if (!s) return '';
  const ascii = NON_ASCII.test(s) ? transliterate(s) : s;
  return ascii.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'herr', 'frau', 'sra', 'srta', 'mme', 'mlle']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);
/** Particles that belong to the family name: "Ludwig van Beethoven" is Beethoven, family name "van Beethoven". */
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'da', 'das', 'do', 'dos', 'del', 'della', 'di', 'du', 'la', 'le', 'st', 'ter', 'ten', 'al', 'el', 'bin', 'ibn', 'mac']);

export interface PersonName {
  /** First given name, folded ("mary" of "Mary Ann"). */
  given?: string;
  /** Family name, folded and without spaces ("vanbeethoven"). */
  family?: string;
}

function stripped(tokens: string[]): string[] {
  const out = tokens.filter((t) => !SUFFIXES.has(t));
  while (out.length > 1 && TITLES.has(out[0]!)) out.shift();
  return out;
}

/**
 * Given and family name from whatever the record has: separate fields, or one full name ("Ana María López",
 * "LOPEZ, Ana", "Dr. Ana Lopez Jr."). Which of the two a full name puts first is not decided here: the
 * comparison also tries them swapped.
 */
export function personName(input: { givenName?: string; familyName?: string; name?: string }): PersonName {
  const given = stripped(foldText(input.givenName).split(' ').filter(Boolean));
  const family = foldText(input.familyName).split(' ').filter((t) => t && !SUFFIXES.has(t));
  if (given.length || family.length) {
    return { given: given[0], family: family.length ? family.join('') : undefined };
  }
  const raw = input.name?.trim();
  if (!raw) return {};
  const comma = raw.search(/[,/]/);
  if (comma > 0) {
    // "Family, Given" as many exports write it, "FAMILY/GIVEN" as the card's chip does
    const fam = foldText(raw.slice(0, comma)).split(' ').filter((t) => t && !SUFFIXES.has(t));
    const giv = stripped(foldText(raw.slice(comma + 1)).split(' ').filter(Boolean));
    return { given: giv[0], family: fam.length ? fam.join('') : undefined };
  }
  const tokens = stripped(foldText(raw).split(' ').filter(Boolean));
  if (tokens.length === 0) return {};
  if (tokens.length === 1) return { family: tokens[0] };
  let start = tokens.length - 1;
  while (start > 1 && PARTICLES.has(tokens[start - 1]!)) start--;
  return { given: tokens[0], family: tokens.slice(start).join('') };
}

/** Postal code without spaces or dashes, uppercase; a US ZIP+4 keeps its five-digit ZIP. */
export function normalizePostalCode(postal: string | undefined): string | undefined {
  const p = postal?.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!p) return undefined;
  return /^\d{9}$/.test(p) ? p.slice(0, 5) : p;
}

const STREET_WORDS: Readonly<Record<string, string>> = {
  street: 'st', avenue: 'ave', av: 'ave', road: 'rd', drive: 'dr', lane: 'ln', boulevard: 'blvd', court: 'ct',
  place: 'pl', square: 'sq', terrace: 'ter', highway: 'hwy', parkway: 'pkwy', circle: 'cir', apartment: 'apt',
  suite: 'ste', unit: 'apt', north: 'n', south: 's', east: 'e', west: 'w', strasse: 'str', str: 'str',
};

/** Street address folded, with the usual abbreviations made uniform ("12 Oak Street" = "12 oak st"). */
export function normalizeStreet(street: string | undefined): string | undefined {
  const s = foldText(street?.replace(/straße/gi, 'strasse'));
  if (!s) return undefined;
  return s.split(' ').map((w) => STREET_WORDS[w] ?? w).join(' ');
}

/**
 * An identifier (national or tax id, member or customer number) as its digits and letters: the spaces, dashes,
 * dots and slashes people type inside one ("123-45-6789", "85.07.30-033.61") dropped, letters lowercase.
 */
export function normalizeIdNumber(id: string | undefined): string | undefined {
  return id?.normalize('NFKC').toLowerCase().replace(/[\s\-\u2010-\u2015./]+/g, '') || undefined;
}

export function normalizeCity(city: string | undefined): string | undefined {
  return foldText(city) || undefined;
}

/**
 * A date of birth as YYYY-MM-DD. ISO dates are read as such; "03/07/1985" is read month first where the
 * region writes dates that way (US) and day first elsewhere.
 */
export function normalizeDateOfBirth(dob: string | undefined, monthFirst = true): string | undefined {
  const s = dob?.trim();
  if (!s) return undefined;
  let y: number, m: number, d: number;
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(s);
  const local = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$/.exec(s);
  // "19650413", as registries and many exports write it
  const compact = /^(19|20)(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (compact) [y, m, d] = [Number(compact[1]! + compact[2]!), Number(compact[3]), Number(compact[4])];
  else if (local) {
    const a = Number(local[1]);
    const b = Number(local[2]);
    y = Number(local[3]);
    if (y < 100) y += y > (new Date().getFullYear() % 100) ? 1900 : 2000;
    // an impossible month settles the order whatever the region's habit
    [m, d] = a > 12 ? [b, a] : b > 12 ? [a, b] : monthFirst ? [a, b] : [b, a];
  } else return undefined;
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2100) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Regions that write dates month first. */
export const MONTH_FIRST_REGIONS: ReadonlySet<string> = new Set(['US', 'PH', 'FM', 'MH', 'PW']);
