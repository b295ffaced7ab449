/**
 * One card brand vocabulary for every source. The brand is a customer's "method" preference (segment), a card of
 * the local CRM and the SaaS CRMs' card brand field, so one Visa paid through Square on Monday and through Adyen on
 * Tuesday has to read `visa` both times: the preference would otherwise split between two spellings of one card.
 *
 * The names are Stripe's (card_present brand: amex, cartes_bancaires, diners, discover, eftpos_au, interac, jcb,
 * link, mastercard, unionpay, visa), since Stripe passes its own through and it already has a word for most
 * networks; brands Stripe has no word for keep the network's own lower-case name (maestro, bancontact, girocard,
 * dankort, rupay, elo…).
 */

/**
 * Each vendor's code, compacted (lower case, no separators: "AMERICAN_EXPRESS", "American Express" and
 * "american-express" are all `americanexpress`) → the pack's name. A code the vendors spell alike (VISA, JCB,
 * MAESTRO…) needs no entry when its compact form already is the name.
 */
const ALIASES: Readonly<Record<string, string>> = {
  // Mastercard: Adyen and Clover write "mc"; Adyen lists its debit cards as a payment method type of their own.
  mc: 'mastercard',
  mcdebit: 'mastercard',
  // American Express: Square AMERICAN_EXPRESS, Stripe's display name "American Express".
  americanexpress: 'amex',
  // Diners Club: Clover DINERS_CLUB, SumUp DINERS, Square DISCOVER_DINERS (Diners cards on the Discover network).
  dinersclub: 'diners',
  discoverdiners: 'diners',
  // UnionPay: Adyen and SumUp "cup", Square CHINA_UNIONPAY, Clover CHINA_UNION_PAY.
  cup: 'unionpay',
  chinaunionpay: 'unionpay',
  // eftpos is Australia's debit network; Square, Clover and SumUp write plain EFTPOS, Adyen eftpos_australia.
  eftpos: 'eftpos_au',
  eftposau: 'eftpos_au',
  eftposaustralia: 'eftpos_au',
  // Adyen names the Interac debit card interac_card.
  interaccard: 'interac',
  // Visa's debit products are Visa cards (SumUp VISA_ELECTRON, VISA_VPAY and VPAY; Adyen electron, vpay, visadebit).
  visaelectron: 'visa',
  electron: 'visa',
  visavpay: 'visa',
  vpay: 'visa',
  visadebit: 'visa',
  // Adyen's codes for Bancontact and Cartes Bancaires.
  bcmc: 'bancontact',
  cartebancaire: 'cartes_bancaires',
  cartesbancaires: 'cartes_bancaires',
};

/** Names that are their own compact form, so "Master Card" or "JCB" find them as "mastercard" and "jcb". */
const KNOWN: ReadonlySet<string> = new Set([
  'visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'interac', 'maestro', 'bancontact', 'girocard',
  'dankort', 'rupay', 'elo', 'hipercard',
]);

/**
 * What vendors write when they cannot say which network the card is on (Stripe and Clover "unknown", SumUp UNKNOWN,
 * Square OTHER_BRAND, Clover OTHER): no brand, rather than a "method" every such payment would share.
 */
const NO_BRAND: ReadonlySet<string> = new Set(['unknown', 'other', 'otherbrand']);

/**
 * Any vendor's brand code → the pack's brand name, or undefined when the code names none. A code not listed is still
 * information (a gift card, a local network), so it is kept, in lower case with each run of spaces, hyphens,
 * underscores or other punctuation written as one underscore ("SQUARE_GIFT_CARD" → `square_gift_card`).
 */
export function cardBrand(code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined;
  const snake = code.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '');
  if (!snake) return undefined;
  const compact = snake.replace(/_/g, '');
  if (NO_BRAND.has(compact)) return undefined;
  return ALIASES[compact] ?? (KNOWN.has(compact) ? compact : snake);
}

/**
 * Stored-value gift card programmes whose code does not say "gift" (or "cadeau", Dutch for it), in compact form:
 * the providers Adyen processes (Givex, SVS, Fiserv ValueLink; Stripe spells the last `fiserv_valuelink`) and the
 * local gift cards of its gift card payment method (Fashioncheque, Kadowereld, Winkelcheque, Nationale
 * Bioscoopbon, Fleurop Bloemenbon, Gall & Gall, Podium Cadeaukaart, Illicado).
 */
const GIFT_CARD_CODES: ReadonlySet<string> = new Set([
  'givex', 'svs', 'valuelink', 'fiservvaluelink', 'fashioncheque', 'kadowereld', 'winkelcheque',
  'nationalebioscoopbon', 'fleuropbloemenbon', 'gallgall', 'podiumcard', 'prosodieillicado',
]);

/**
 * Whether a brand (the pack's name, or any vendor's code) is a stored-value gift card rather than a person's payment
 * card: Square's SQUARE_GIFT_CARD, Clover's GIFT_CARD, Adyen's gift card brands (givex, svs, valuelink,
 * genericgiftcard, vvvgiftcard…). A gift card is bought by one person and spent by another, often by several, so its
 * number, token or last four say nothing of who pays with it: the match step never takes it as evidence of a
 * person (match/personal-card.ts). One rule for every source, read from the brand every event already carries, so
 * events stored before it existed read the same.
 */
export function isGiftCardBrand(code: unknown): boolean {
  // The match step asks for every payment, and most are paid with a network card already named: no re-reading.
  if (typeof code === 'string' && KNOWN.has(code)) return false;
  const brand = cardBrand(code);
  if (!brand) return false;
  const compact = brand.replace(/_/g, '');
  return compact.includes('gift') || compact.includes('cadeau') || GIFT_CARD_CODES.has(compact);
}
