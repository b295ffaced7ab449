import { ORIGINAL_PRESENCE, HOUSEHOLD_SHARE } from './error-model';
import { GIVEN_FEMALE, GIVEN_MALE, LOCALITIES, MAIL_DOMAINS, SURNAMES, STREET_NAMES, STREET_TYPES, TAIL_END, TAIL_START, ADDRESS_2 } from './name-material';
import type { Random } from './random';

/** One person as the originals hold them: every value in its clean form ('' is absent). */
export interface Person {
  trueId: string;
  female: boolean;
  given_name: string;
  surname: string;
  street_number: string;
  address_1: string;
  address_2: string;
  suburb: string;
  postcode: string;
  state: string;
  /** YYYY-MM-DD. */
  date_of_birth: string;
  email: string;
  /** Digits only, national form (0 + 9 digits); rendered in a random format per record. */
  phone_number: string;
}

/** Zipf weights 1/(rank+1)^s: a few values common, a long tail rare. */
export function zipf(n: number, s = 1): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
}

const W_FEMALE = zipf(GIVEN_FEMALE.length, 0.9);
const W_MALE = zipf(GIVEN_MALE.length, 0.9);
const W_SURNAME = zipf(SURNAMES.length, 0.9);
const W_TYPES = STREET_TYPES.map(([, w]) => w);
const W_LOCALITY = zipf(LOCALITIES.length, 0.6);
const W_DOMAIN = zipf(MAIL_DOMAINS.length, 1.1);

export function givenName(rng: Random, female: boolean): string {
  return female ? GIVEN_FEMALE[rng.weighted(W_FEMALE)]! : GIVEN_MALE[rng.weighted(W_MALE)]!;
}

/** Three in four family names from the common list, the rest a rare name built from syllables. */
export function surname(rng: Random): string {
  if (rng.chance(0.75)) return SURNAMES[rng.weighted(W_SURNAME)]!;
  return rng.pick(TAIL_START) + rng.pick(TAIL_END);
}

/** House numbers: small ones most common (log-uniform 1..400). */
export function streetNumber(rng: Random): string {
  return String(Math.max(1, Math.floor(Math.exp(rng.float() * Math.log(400)))));
}

export function street(rng: Random): string {
  return `${rng.pick(STREET_NAMES)} ${STREET_TYPES[rng.weighted(W_TYPES)]![0]}`;
}

export function locality(rng: Random): readonly [string, string, string] {
  return LOCALITIES[rng.weighted(W_LOCALITY)]!;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysIn = (y: number, m: number) => (m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[m - 1]!);
export const isoDate = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function birthDate(rng: Random): string {
  const y = rng.int(1935, 2006);
  const m = rng.int(1, 12);
  return isoDate(y, m, rng.int(1, daysIn(y, m)));
}

const AREA: Readonly<Record<string, string>> = { nsw: '02', act: '02', vic: '03', tas: '03', qld: '07', sa: '08', wa: '08', nt: '08' };

/** Two in three Australians give a mobile (04…); the rest a landline with their state's area code. */
export function phone(rng: Random, state: string): string {
  let digits = '';
  for (let i = 0; i < 8; i++) digits += String(rng.int(0, 9));
  return (rng.chance(0.66) ? '04' : AREA[state] ?? '02') + digits;
}

const ascii = (s: string) => s.replace(/[^a-z]/g, '');

export function email(rng: Random, given: string, family: string): string {
  const g = ascii(given);
  const f = ascii(family);
  const yy = String(rng.int(0, 99)).padStart(2, '0');
  const local = [`${g}.${f}`, `${g}${f}`, `${g[0]}${f}`, `${g}${f}${yy}`, `${g}_${f}`, `${f}${g[0]}${yy}`, `${g}${yy}`][rng.weighted([30, 15, 15, 12, 8, 10, 10])]!;
  return `${local}@${MAIL_DOMAINS[rng.weighted(W_DOMAIN)]}`;
}

/**
 * `count` distinct people. About one in twelve lives with an earlier person (same family name and address,
 * sometimes the same landline): the near-duplicates a matcher must keep apart.
 */
export function makePeople(rng: Random, count: number, idPrefix = 'p'): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const female = rng.chance(0.5);
    const home = people.length > 0 && rng.chance(HOUSEHOLD_SHARE) ? rng.pick(people) : undefined;
    let given = givenName(rng, female);
    // a family seldom gives two members one name (a junior is the rare exception, not modelled)
    while (home && given === home.given_name) given = givenName(rng, female);
    const family = home ? home.surname : surname(rng);
    const [sub, pc, st] = home ? [home.suburb, home.postcode, home.state] : locality(rng);
    const landline = home && home.phone_number && !home.phone_number.startsWith('04') && rng.chance(0.5) ? home.phone_number : undefined;
    people.push({
      trueId: `${idPrefix}${String(i).padStart(6, '0')}`,
      female,
      given_name: given,
      surname: family,
      street_number: home ? home.street_number : streetNumber(rng),
      address_1: home ? home.address_1 : street(rng),
      address_2: home ? home.address_2 : rng.chance(ORIGINAL_PRESENCE.address_2) ? rng.pick(ADDRESS_2) : '',
      suburb: sub,
      postcode: pc,
      state: st,
      date_of_birth: birthDate(rng),
      email: rng.chance(ORIGINAL_PRESENCE.email) ? email(rng, given, family) : '',
      phone_number: rng.chance(ORIGINAL_PRESENCE.phone_number) ? landline ?? phone(rng, st) : '',
    });
  }
  return people;
}
