import { trimmedStr } from '../json/json-values';

/**
 * Words issuers and terminals put where a card carries no person's name: gift and prepaid cards ("VALUED
 * CUSTOMER", "GIFT CARD"), instant-issue debit cards ("VISA CARDHOLDER", "INSTANT ISSUE"), readers that could not
 * read one ("N/A", "NO NAME"). A name made only of these names nobody, and as a match key it would join every
 * stranger holding such a card.
 */
const PLACEHOLDER_WORDS = new Set([
  'valued', 'customer', 'customers', 'client', 'member', 'card', 'cardholder', 'cardmember', 'holder', 'gift', 'prepaid',
  'debit', 'credit', 'instant', 'issue', 'unembossed', 'personalized', 'personalised', 'no', 'name', 'unknown', 'na',
  'n', 'visa', 'mastercard', 'master', 'maestro', 'amex', 'american', 'express', 'discover', 'interac', 'eftpos',
  'jcb', 'unionpay', 'the', 'a', 'of',
]);

/** ISO 7813's title after the given names ("SMITH/JOHN A.MR"): not part of the name. */
const TRAILING_TITLE = /\.\s*(MR|MRS|MS|MISS|MX|DR|PROF|REV|SIR)\.?$/i;

/**
 * The name on a card as a CRM shows it: "SURNAME/GIVEN" (ISO 7813, what chips and stripes carry) reads
 * "GIVEN SURNAME", runs of blanks are one space, and a placeholder or a string without letters is no name.
 * Every source reads cardholder names through this one function, so a payment's name does not depend on which
 * processor took it.
 */
export function cardholderName(raw: unknown): string | undefined {
  const text = nameText(raw);
  if (!text) return undefined;
  const parts = /^([^/]*)\/([^/]*)$/.exec(text);
  const name = (parts ? `${parts[2]!.replace(TRAILING_TITLE, '').trim()} ${parts[1]!.trim()}` : text).trim();
  return isPersonName(name) ? name : undefined;
}

/** A name as typed (a billing name, a customer record): trimmed, runs of blanks one space, blanks alone none. */
export function nameText(raw: unknown): string | undefined {
  return trimmedStr(raw)?.replace(/\s+/g, ' ');
}

/** A name with letters in it that is not only placeholder words. */
function isPersonName(name: string): boolean {
  if (!/\p{L}/u.test(name)) return false;
  const words = name.toLowerCase().split(/[\s.,/-]+/).filter(Boolean);
  return !words.every((w) => PLACEHOLDER_WORDS.has(w));
}
