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

/**
 * The blocks a record falls in. Two records are compared only when they share a block, which keeps the work
 * per payment flat however many customers there are; each block is built so that a typical slip (a typo in the
 * family name, a nickname, another email domain, another processor's token for the same card) still leaves
 * the pair sharing at least one of them.
 */
export function blockKeys(r: NormalizedRecord): number[] {
  const keys: string[] = [];
  const givens = r.given ? givenNameBlocks(r.given) : [];
  const fam = r.family ? skeleton(r.family) : undefined;
  if (fam) for (const g of givens) keys.push(`n|${fam}|${g}`);
  // given and family swapped, as card readers and some forms write them
  if (r.given && r.family) for (const g of givenNameBlocks(r.family)) keys.push(`n|${skeleton(r.given)}|${g}`);
  if (r.postal) {
    if (r.family) keys.push(`fp|${r.family}|${r.postal}`);
    for (const g of givens) keys.push(`gp|${g}|${r.postal}`);
    const house = houseNumber(r.street);
    if (house) keys.push(`hp|${house}|${r.postal}`);
  }
  if (r.dob) keys.push(`d|${r.dob}|${r.family?.[0] ?? r.given?.[0] ?? ''}`);
  for (const e of r.emails) {
    const at = e.lastIndexOf('@');
    const local = e.slice(0, at);
    const el = emailBlock(e);
    if (el) keys.push(el);
    if (local.length >= 6) keys.push(`ex|${local.slice(0, 3)}|${local.slice(-3)}|${e.slice(at + 1, at + 3)}`);
  }
  for (const p of r.phones) keys.push(phoneBlock(p));
  for (const c of r.cards) {
    if (c.bin) keys.push(`cb|${c.bin}|${c.last4}`);
    if (c.expMonth) keys.push(`ce|${c.last4}|${c.expMonth}|${c.expYear ?? ''}`);
  }
  const out: number[] = [];
  for (const k of keys) {
    const h = hashKey(k);
    if (!out.includes(h)) out.push(h);
  }
  return out;
}
