import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CardDescriptor, MatchRecord } from '../../nodes/core/contracts/match-record';
import { CITY_SYLLABLES, EMAIL_DOMAINS, FAMILY, FAMILY_SYLLABLES, FEMALE, MALE, NATIVE_SPELLINGS, NICKNAMES, STREETS, STREET_SUFFIXES } from './name-lists';
import { Rng } from './rng';

/**
 * A synthetic, labelled population: people in households, their cards and wallets, their records in a CRM and
 * their payments at two processors, with the noise real data has. Every person is a pure function of (seed, id),
 * so a million of them cost no memory and the same seed gives the same population everywhere.
 */

export type Processor = 'stripe' | 'square';

export interface Card extends CardDescriptor {
  /** Unique across the population; a processor's token is derived from it. */
  id: number;
  ownerId: number;
  isWallet: boolean;
}

export interface Person {
  id: number;
  given: string;
  family: string;
  nativeGiven?: string;
  nativeFamily?: string;
  email: string;
  /** An older address some records still carry. */
  oldEmail?: string;
  /** Ten national digits (North American numbering). */
  phone: string;
  house: number;
  street: string;
  suffix: number;
  city: string;
  postal: string;
  dob: string;
  cards: Card[];
  /** The wallet (Apple Pay, Google Pay) device card for cards[0]: its own number, expiry and token. */
  wallet?: Card;
  /** A card of someone else in the household this person also pays with. */
  sharedCard?: Card;
  /** The processor customer ids this person has, if they saved a profile there. */
  stripeId?: string;
  squareId?: string;
  /** In the CRM before the payments start. */
  known: boolean;
  /** A second CRM record of the same person (a duplicate nobody merged). */
  duplicated: boolean;
}

export interface PopulationOptions {
  seed: number;
  persons: number;
}

const FAMILY_LIST_SHARE = 0.5;
const BINS: string[] = [];
const DPAN_BINS = ['489537', '489538', '520473', '534774', '410039', '440393'];

function title(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export class Population {
  readonly persons: number;
  readonly postalCodes: number;
  private readonly seed: number;

  constructor(o: PopulationOptions) {
    this.seed = o.seed;
    this.persons = o.persons;
    this.postalCodes = Math.max(50, Math.round(o.persons / 120));
    if (!BINS.length) {
      const r = new Rng(7, 7);
      for (let i = 0; i < 400; i++) BINS.push(`${r.chance(0.6) ? 4 : 5}${r.digits(5)}`);
    }
  }

  private cityOf(postalIndex: number): string {
    const cityIndex = Math.floor(postalIndex / 8);
    const r = new Rng(this.seed, 0x70000000 + cityIndex);
    return title(r.pick(CITY_SYLLABLES) + r.pick(CITY_SYLLABLES));
  }

  private familyName(r: Rng): string {
    if (r.chance(FAMILY_LIST_SHARE)) return FAMILY[r.zipf(FAMILY.length, 0.6)]!;
    let s = r.pick(FAMILY_SYLLABLES) + r.pick(FAMILY_SYLLABLES);
    if (r.chance(0.6)) s += r.pick(FAMILY_SYLLABLES);
    return s;
  }

  person(id: number): Person {
    const slot = Math.floor(id / 4);
    const h = new Rng(this.seed, 0x10000000 + slot);
    const u = h.next();
    const householdSize = u < 0.55 ? 1 : u < 0.8 ? 2 : u < 0.92 ? 3 : 4;
    const member = id - slot * 4;
    const inHousehold = householdSize > 1 && member < householdSize;
    // household-shared draws come first, always, so every member sees the same values
    const hFamily = this.familyName(h);
    const hPostal = h.int(this.postalCodes);
    const hHouse = 1 + h.int(9999);
    const hStreet = h.pick(STREETS);
    const hSuffix = h.int(STREET_SUFFIXES.length);
    const hPhone = this.phoneFor(h, hPostal);
    const sharesPhone = h.chance(0.3);
    const sharesCard = h.chance(0.25);
    const familyEmail = h.chance(0.05) ? `${hFamily}family${slot.toString(36)}@gmail.com` : undefined;

    const r = new Rng(this.seed, id + 1);
    const female = r.chance(0.5);
    const given = female ? FEMALE[r.zipf(FEMALE.length, 0.6)]! : MALE[r.zipf(MALE.length, 0.6)]!;
    const family = inHousehold && (member === 0 || r.chance(0.85)) ? hFamily : this.familyName(r);
    const postalIndex = inHousehold ? hPostal : r.int(this.postalCodes);
    const phone = inHousehold && sharesPhone ? hPhone : this.phoneFor(r, postalIndex);
    const year = 1940 + r.int(66);
    const dob = `${year}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
    const email = inHousehold && familyEmail && r.chance(0.7) ? familyEmail : this.emailFor(r, id, given, family, year);
    const oldEmail = r.chance(0.1) ? this.emailFor(r, id + 7919, given, family, year) : undefined;
    const cards: Card[] = [];
    const nCards = 1 + Number(r.chance(0.4)) + Number(r.chance(0.1));
    for (let k = 0; k < nCards; k++) cards.push(this.card(id, k, false));
    const wallet = r.chance(0.35) ? this.card(id, 3, true) : undefined;
    const stripeId = r.chance(0.3) ? `cus_${(id * 7 + 3).toString(36)}` : undefined;
    const squareId = r.chance(0.25) ? `SQ${(id * 13 + 5).toString(36).toUpperCase()}` : undefined;
    let sharedCard: Card | undefined;
    // the first member's first card (cards come from their own stream, so any member can rebuild it)
    if (inHousehold && sharesCard && member > 0) sharedCard = this.card(slot * 4, 0, false);
    return {
      id, given, family,
      nativeGiven: NATIVE_SPELLINGS[given], nativeFamily: NATIVE_SPELLINGS[family],
      email, oldEmail, phone,
      house: inHousehold ? hHouse : 1 + r.int(9999),
      street: inHousehold ? hStreet : r.pick(STREETS),
      suffix: inHousehold ? hSuffix : r.int(STREET_SUFFIXES.length),
      city: this.cityOf(postalIndex),
      postal: String(10000 + postalIndex * 3).padStart(5, '0'),
      dob, cards, wallet, sharedCard, stripeId, squareId,
      known: new Rng(this.seed, 0x20000000 + id).chance(0.85),
      duplicated: new Rng(this.seed, 0x30000000 + id).chance(0.02),
    };
  }

  private card(ownerId: number, k: number, isWallet: boolean): Card {
    // each card from its own stream, so a household member can reproduce the owner's card
    const c = new Rng(this.seed, 0x40000000 + ownerId + k * 0x01000000);
    return {
      id: ownerId * 4 + k,
      ownerId,
      isWallet,
      bin: isWallet ? c.pick(DPAN_BINS) : c.pick(BINS),
      last4: c.digits(4),
      expMonth: 1 + c.int(12),
      expYear: 2026 + c.int(6),
      ...(isWallet ? { wallet: c.chance(0.6) ? 'apple_pay' : 'google_pay' } : {}),
    };
  }

  /** A number a line could have: an area code in service, and an exchange libphonenumber holds valid in it. */
  private phoneFor(r: Rng, postalIndex: number): string {
    const areaCode = AREA_CODES[(postalIndex * 37) % AREA_CODES.length]!;
    for (;;) {
      const exchange = `${areaCode}${2 + r.int(8)}${r.digits(2)}`;
      if (validExchange(exchange)) return `${exchange}${r.digits(4)}`;
    }
  }

  private emailFor(r: Rng, id: number, given: string, family: string, year: number): string {
    let domain = 'example.net';
    let u = r.next();
    for (const [d, p] of EMAIL_DOMAINS) {
      if (u < p) { domain = d; break; }
      u -= p;
    }
    if (domain === 'example.net') domain = `${r.pick(CITY_SYLLABLES)}${r.pick(CITY_SYLLABLES)}.com`;
    const nick = NICKNAMES[given];
    const g = nick && r.chance(0.15) ? r.pick(nick) : given;
    const patterns = [`${g}.${family}`, `${g}${family}`, `${g[0]}${family}`, `${g}_${family}`, `${family}.${g}`, `${g}${year % 100}`, `${g}.${family}${year % 100}`, `${g[0]}.${family}`];
    // a mailbox is unique; the id suffix keeps two people from sharing one by accident of the pattern
    return `${r.pick(patterns)}${id.toString(36)}@${domain}`;
  }

  token(processor: Processor, card: Card): string {
    return `ctok_k1_${processor === 'stripe' ? 'a' : 'b'}${card.id.toString(36)}`;
  }
}

/** Noise of the kind people and systems add. */
export const noise = {
  typo(r: Rng, s: string): string {
    if (s.length < 3) return s;
    const i = 1 + r.int(s.length - 1);
    const kind = r.int(4);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    if (kind === 0) return s.slice(0, i) + s.slice(i + 1);
    if (kind === 1) return s.slice(0, i) + r.pick([...letters]) + s.slice(i);
    if (kind === 2) return s.slice(0, i) + r.pick([...letters]) + s.slice(i + 1);
    return i < s.length - 1 ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
  },
  emailVariant(r: Rng, email: string): string {
    const at = email.indexOf('@');
    let local = email.slice(0, at);
    const domain = email.slice(at + 1);
    if ((domain === 'gmail.com' || domain === 'googlemail.com') && r.chance(0.25)) local = local.replaceAll('.', '') || local;
    if (['gmail.com', 'outlook.com', 'hotmail.com', 'icloud.com'].includes(domain) && r.chance(0.08)) local += `+${r.pick(['shop', 'receipts', 'store', 'promo'])}`;
    let out = `${local}@${domain}`;
    if (r.chance(0.2)) out = out.charAt(0).toUpperCase() + out.slice(1);
    if (r.chance(0.05)) out = out.toUpperCase();
    if (r.chance(0.05)) out = ` ${out} `;
    return out;
  },
  phoneFormat(r: Rng, digits: string): string {
    const a = digits.slice(0, 3);
    const b = digits.slice(3, 6);
    const c = digits.slice(6);
    return r.pick([`+1${digits}`, `(${a}) ${b}-${c}`, `${a}.${b}.${c}`, digits, `+1 ${a} ${b} ${c}`, `1-${a}-${b}-${c}`, `${a}-${b}-${c}`]);
  },
  givenName(r: Rng, p: Person): string {
    const nick = NICKNAMES[p.given];
    if (nick && r.chance(0.15)) return title(r.pick(nick));
    if (r.chance(0.03)) return title(noise.typo(r, p.given));
    return title(p.given);
  },
  familyName(r: Rng, p: Person): string {
    if (r.chance(0.03)) return title(noise.typo(r, p.family));
    return title(p.family);
  },
  street(r: Rng, p: Person): string {
    const forms = STREET_SUFFIXES[p.suffix]!;
    return `${p.house} ${title(p.street)} ${r.pick(forms)}`;
  },
};

/** The CRM's record(s) of a known person, typed by staff over the years. */
export function crmRecords(pop: Population, p: Person, seed: number): MatchRecord[] {
  const out: MatchRecord[] = [];
  for (let copy = 0; copy < (p.duplicated ? 2 : 1); copy++) {
    const r = new Rng(seed, 0x50000000 + p.id * 2 + copy);
    const native = r.chance(0.6);
    const keys: MatchRecord['keys'] & object = [];
    const cards: CardDescriptor[] = [];
    if (copy === 0) {
      if (p.stripeId && r.chance(0.8)) (keys as { kind: 'processorCustomerId'; value: string }[]).push({ kind: 'processorCustomerId', value: `stripe:${p.stripeId}` });
      if (p.squareId && r.chance(0.1)) (keys as { kind: 'processorCustomerId'; value: string }[]).push({ kind: 'processorCustomerId', value: `square:${p.squareId}` });
      for (const c of [...p.cards, ...(p.wallet ? [p.wallet] : [])]) {
        if (!r.chance(c.isWallet ? 0.3 : 0.5)) continue;
        (keys as { kind: 'cardToken'; value: string }[]).push({ kind: 'cardToken', value: pop.token('stripe', c) });
        cards.push({ bin: c.bin, last4: c.last4, expMonth: c.expMonth, expYear: c.expYear, token: pop.token('stripe', c), processor: 'stripe' });
      }
    }
    out.push({
      id: copy === 0 ? `crm_${p.id}` : `crm_${p.id}_dup`,
      givenName: r.chance(0.03) ? undefined : native && p.nativeGiven ? p.nativeGiven : noise.givenName(r, p),
      familyName: r.chance(0.02) ? undefined : native && p.nativeFamily ? p.nativeFamily : noise.familyName(r, p),
      email: r.chance(0.85) ? noise.emailVariant(r, p.oldEmail && r.chance(0.3) ? p.oldEmail : p.email) : undefined,
      phone: r.chance(0.7) ? noise.phoneFormat(r, p.phone) : undefined,
      street: r.chance(0.6) ? noise.street(r, p) : undefined,
      city: r.chance(0.7) ? p.city : undefined,
      postalCode: r.chance(0.8) ? p.postal : undefined,
      dateOfBirth: r.chance(0.35) ? p.dob : undefined,
      keys,
      cards,
    });
  }
  return out;
}

export interface PaymentDraw {
  payerId: number;
  processor: Processor;
  record: MatchRecord;
}

/** Payment `n` of the stream: who paid, where, and what the terminal and the clerk recorded. */
export function payment(pop: Population, seed: number, n: number): PaymentDraw {
  const r = new Rng(seed, 0x60000000 + n);
  // a few regulars pay often, most people now and then
  const payerId = Math.floor(pop.persons * r.next() ** 2);
  const p = pop.person(payerId);
  const processor: Processor = r.chance(0.6) ? 'stripe' : 'square';
  let card: Card;
  let holder = p;
  if (p.sharedCard && r.chance(0.3)) {
    card = p.sharedCard;
    holder = pop.person(card.ownerId);
  } else if (p.wallet && r.chance(0.45)) card = p.wallet;
  else card = p.cards[r.int(p.cards.length)]!;
  const keys: { kind: 'cardToken' | 'processorCustomerId'; value: string }[] = [{ kind: 'cardToken', value: pop.token(processor, card) }];
  const procId = processor === 'stripe' ? p.stripeId : p.squareId;
  if (procId && r.chance(0.4)) keys.push({ kind: 'processorCustomerId', value: `${processor}:${procId}` });
  let name: string | undefined;
  const typed = r.chance(0.15);
  if (typed) name = `${noise.givenName(r, p)} ${noise.familyName(r, p)}`;
  else if (!card.isWallet && r.chance(0.45)) {
    // the chip's cardholder name: the card holder's, whoever pays
    name = r.chance(0.7) ? `${holder.family.toUpperCase()}/${holder.given.toUpperCase()}` : `${holder.given.toUpperCase()} ${holder.family.toUpperCase()}`;
  }
  let email: string | undefined;
  if (r.chance(0.35)) {
    const base = p.oldEmail && r.chance(0.1) ? p.oldEmail : p.email;
    email = r.chance(0.03) ? (() => { const at = base.indexOf('@'); return noise.typo(r, base.slice(0, at)) + base.slice(at); })() : noise.emailVariant(r, base);
  }
  const phone = r.chance(0.2) ? (r.chance(0.01) ? noise.typo(r, p.phone) : noise.phoneFormat(r, p.phone)) : undefined;
  const postalCode = r.chance(0.25) ? p.postal : undefined;
  return {
    payerId,
    processor,
    record: {
      id: `evt_${n}`,
      name,
      email,
      phone,
      postalCode,
      keys,
      cards: [{ bin: card.bin, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, token: keys[0]!.value, processor }],
    },
  };
}

const exchangeValid = new Map<string, boolean>();
/** Whether area code + exchange (six digits) is valid: libphonenumber's North American patterns decide on these alone. */
function validExchange(sixDigits: string): boolean {
  let known = exchangeValid.get(sixDigits);
  if (known === undefined) {
    known = parsePhoneNumberFromString(`+1${sixDigits}5309`)?.isValid() ?? false;
    exchangeValid.set(sixDigits, known);
  }
  return known;
}

/**
 * North American area codes libphonenumber holds in service. Real payers' phones are numbers lines have: the matcher
 * keys none other (normalize-keys.ts), so a population of unassigned ones would measure placeholders, not people.
 */
const AREA_CODES: readonly string[] = Array.from({ length: 789 }, (_, i) => String(201 + i)).filter((a) => validExchange(`${a}234`));
