import { givenNameBlocks } from './nicknames';
import type { NormalizedRecord } from './normalized-record';

/** 30-bit FNV-1a: small integers make compact map keys; a collision only adds a candidate that scoring rejects. */
export function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x3fffffff;
}

/** A rough sound-alike key: first letter, then consonants without repeats ("smith", "smyth" → "smth"). */
export function skeleton(name: string): string {
  let out = name[0] ?? '';
  let last = '';
  for (let i = 1; i < name.length && out.length < 5; i++) {
    const c = name[i]!;
    if ('aeiouyhw'.includes(c) || c === last) continue;
    out += c;
    last = c;
  }
  return out;
}

export const phoneBlock = (e164: string) => `p|${e164.slice(-7)}`;

/** The block of an email's local part, or undefined when it is too short to say anything. */
export function emailBlock(email: string): string | undefined {
  const local = email.slice(0, email.lastIndexOf('@'));
  return local.length >= 4 ? `el|${local}` : undefined;
}

function houseNumber(street: string | undefined): string | undefined {
  const m = street ? /\d+/.exec(street) : null;
  return m?.[0];
}

/** One blocking rule: the keys under which it puts a record. Two records sharing a key of any rule are compared. */
export interface BlockingRule {
  name: string;
  keys(r: NormalizedRecord, out: string[]): void;
}

/**
 * The blocking rules, a union: each is built so that a typical slip (a typo in the family name, a nickname,
 * a missing given name, another email domain, another processor's token for the same card) that breaks one
 * still leaves the pair sharing a key of another.
 */
export const BLOCKING_RULES: readonly BlockingRule[] = [
  {
    name: 'family name sound + given name',
    keys(r, out) {
      const givens = r.given ? givenNameBlocks(r.given) : [];
      const fam = r.family ? skeleton(r.family) : undefined;
      if (fam) for (const g of givens) out.push(`n|${fam}|${g}`);
      // given and family swapped, as card readers and some forms write them
      if (r.given && r.family) for (const g of givenNameBlocks(r.family)) out.push(`n|${skeleton(r.given)}|${g}`);
    },
  },
  {
    name: 'postal code + name',
    keys(r, out) {
      if (!r.postal) return;
      if (r.family) out.push(`fp|${r.family}|${r.postal}`, `pf|${r.postal}|${r.family[0]}`);
      if (r.given) for (const g of givenNameBlocks(r.given)) out.push(`gp|${g}|${r.postal}`);
    },
  },
  {
    name: 'house number + postal code or town',
    keys(r, out) {
      const house = houseNumber(r.street);
      if (house && r.postal) out.push(`hp|${house}|${r.postal}`);
      // a typo'd postal code still leaves the house number in the same town
      if (house && r.city) out.push(`hc|${house}|${r.city}`);
    },
  },
  {
    name: 'date of birth',
    keys(r, out) {
      if (!r.dob) return;
      out.push(`d|${r.dob}|${r.family?.[0] ?? r.given?.[0] ?? ''}`);
      // a typo'd birth date still shares the year with the name's sound
      const year = r.dob.slice(0, 4);
      if (r.given) out.push(`gy|${skeleton(r.given)}|${year}`);
      if (r.family) out.push(`fy|${skeleton(r.family)}|${year}`);
    },
  },
  {
    name: 'email',
    keys(r, out) {
      for (const e of r.emails) {
        const at = e.lastIndexOf('@');
        const local = e.slice(0, at);
        const el = emailBlock(e);
        if (el) out.push(el);
        if (local.length >= 6) out.push(`ex|${local.slice(0, 3)}|${local.slice(-3)}|${e.slice(at + 1, at + 3)}`);
      }
    },
  },
  { name: 'phone', keys: (r, out) => void r.phones.forEach((p) => out.push(phoneBlock(p))) },
  {
    name: 'card',
    keys(r, out) {
      for (const c of r.cards) {
        if (c.bin) out.push(`cb|${c.bin}|${c.last4}`);
        if (c.expMonth) out.push(`ce|${c.last4}|${c.expMonth}|${c.expYear ?? ''}`);
      }
    },
  },
  // Catches the pair whose names and birth date were all retyped; a placeholder many records hold makes a block
  // larger than the index keeps, and is dropped with it.
  { name: 'identifier', keys: (r, out) => void (r.idNumber && out.push(`id|${r.idNumber}`)) },
];

const scratchKeys: string[] = [];

/** The hashed keys of one rule for `r`, each once. */
export function ruleKeys(rule: BlockingRule, r: NormalizedRecord): number[] {
  scratchKeys.length = 0;
  rule.keys(r, scratchKeys);
  const out: number[] = [];
  for (const k of scratchKeys) {
    const h = hashKey(k);
    if (!out.includes(h)) out.push(h);
  }
  return out;
}

/**
 * The blocks a record falls in, over every rule. Two records are compared only when they share a block,
 * which keeps the work per payment flat however many customers there are.
 */
export function blockKeys(r: NormalizedRecord): number[] {
  scratchKeys.length = 0;
  for (const rule of BLOCKING_RULES) rule.keys(r, scratchKeys);
  const out: number[] = [];
  for (const k of scratchKeys) {
    const h = hashKey(k);
    if (!out.includes(h)) out.push(h);
  }
  return out;
}
