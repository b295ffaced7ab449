/**
 * Card data must never travel past tokenize, whatever field a person typed it into. A candidate is a run of
 * 13–19 digits, optionally grouped by single spaces or dashes; it is redacted when it passes the Luhn check,
 * which is what separates a card number from an order or phone number of the same length.
 */
const PAN = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/;
/**
 * A run of digits grouped by single spaces or dashes, of any length from 13: a card number typed after another number
 * ("ref 7 4242 4242 4242 4242", "order 12-4242424242424242") is inside one, and fails the Luhn check as a whole.
 */
const DIGIT_RUN = /(?<!\d)\d(?:[ -]?\d){12,}(?!\d)/;
/**
 * What follows a card number in a swiped track, pasted whole: track 2's "=" and track 1's "^NAME^", then expiry,
 * service code and the discretionary data (where the card's CVV1 and PIN verification value are). It goes with the
 * card number, or the track's secrets would stay behind the redaction.
 */
const TRACK_REST = /=\d{4,40}\??|\^[^^]{0,26}\^\d{4,80}\??/;
const PAN_CANDIDATE = new RegExp(`(${DIGIT_RUN.source})(${TRACK_REST.source})?`, 'g');
/**
 * The card number alone, not global: a test without lastIndex state, to skip the replace for the many strings with no
 * candidate. A run holding a card number between its groups holds a match of it too (the groups' separators end it).
 */
const HAS_PAN_CANDIDATE = PAN;
export const PAN_REDACTION = '[redacted card number]';

export const SECURITY_CODE_REDACTION = '[redacted security code]';
export const PIN_REDACTION = '[redacted PIN]';

/**
 * A card's security code or PIN typed after its name into free text ("exp 12/29 cvv 123", "CVC: 0123", "security code
 * is 456", "PIN 1234"): the card verification code is sensitive authentication data, never kept after authorisation
 * (PCI DSS 3.3). Only the digits are replaced, so the note stays readable. The names, in any case: cvv, cvv2, cvc,
 * cvc2, cvn, cvn2, cav2, cid, csc, "security code", "card verification value|code|number", each optionally followed
 * by "code", "number", "no" or "nr"; and pin, "pin code", "pin number". Between the name and the digits only
 * separators: spaces, ":", "#", "=", "-", ".", ",", "(", "[", quotes, "is", "was".
 *
 * Not a code, and left alone: a name inside a word or an id ("spinach 123", "reader-cid-5678", "tmr_cvv123"), a name
 * followed by another word ("pin pad 2", "CID-less", "cvv fee 3.50", "PIN entered 1234"), and digits that are part of
 * a longer number: more digits than a code has (3–4, a PIN 4–12), a decimal or grouped amount ("cvv 123.50"), a
 * number joined by "-" or "/" to more digits, or one running into letters or an e-mail's "@". Redacted though not a
 * card's: an id a person labelled cid ("CID: 1234") and India's postal PIN code ("PIN 560001") — no text tells them
 * apart from a card's code, and a code kept is the worse mistake.
 */
const SEPARATOR = String.raw`(?:[\s:#=.,('"\[-]|\bis\b|\bwas\b)`;
const NOUN = String.raw`(?:[ \t]*(?:code|number|no|nr))?`;
const CODE_NAME = String.raw`(?:cvv2?|cvc2?|cvn2?|cav2|cid|csc|security[ \t-]*code|card[ \t-]*verification[ \t-]*(?:value|code|number))${NOUN}`;
const PIN_NAME = String.raw`pin${NOUN}`;
const NOT_IN_A_WORD = String.raw`(?<![\p{L}\p{N}_-])`;
const WHOLE_NUMBER = String.raw`(?![\p{L}\p{N}_@]|[.,/-]\d)`;
const TYPED_SECRET = new RegExp(
  `${NOT_IN_A_WORD}(?:(${CODE_NAME}${SEPARATOR}{0,12})(?<!\\d)\\d{3,4}|(${PIN_NAME}${SEPARATOR}{0,12})(?<!\\d)\\d{4,12})${WHOLE_NUMBER}`,
  'giu',
);
/**
 * Cheap test that a string may hold one: some name's letters. Most strings of an event (ids, enums, times) hold none,
 * and this costs them one scan without the lookbehinds; the shortest, "cvv123", has 6 characters.
 */
const HAS_SECRET_NAME = /[cC][vV][vVcCnN]|[cC][aA][vV]2|[cC][iI][dD]|[cC][sS][cC]|[pP][iI][nN]|[sS][eE][cC][uU][rR][iI][tT][yY]|[vV][eE][rR][iI][fF]/;

/** Field names whose values are card secrets by definition; they are dropped, not scrubbed. */
const SECRET_FIELD = /^(pan|card_?number|track_?[12]?(_?data)?|cvv2?|cvc2?|cvn2?|cav2|cid|csc|(card_?)?security_?code|card_?verification_?(value|code|number)|pin|pin_?block|emv_?auth_?data)$/i;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * UUIDs (Square's, Zettle's and SumUp's ids) often hold a Luhn-valid run of 13+ digits across their dashes: they are
 * ids, never card numbers, and rewriting one would corrupt the event id it is part of.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function scrubPan(text: string): string {
  // Every event's strings pass here (bench/sources): a test is several times cheaper than a replace that finds nothing.
  // No closure over this function's variables, or every call would allocate their context before the first test.
  if (text.length < 6) return text;
  const pan = text.length >= 13 && HAS_PAN_CANDIDATE.test(text);
  if (!pan && !HAS_SECRET_NAME.test(text)) return text;
  if (text.includes('-') && UUID.test(text)) {
    UUID.lastIndex = 0;
    const parts = text.split(UUID);
    const ids = text.match(UUID)!;
    let out = '';
    for (let i = 0; i < parts.length; i++) out += scrubPart(parts[i]!, pan) + (ids[i] ?? '');
    return out;
  }
  return scrubPart(text, pan);
}

/**
 * Card numbers first (a PIN's name before one leaves its digits to the card number's redaction), then typed codes.
 * Without a card number scrubPan has already found a name in the text, so it is not looked for again.
 */
function scrubPart(text: string, pan: boolean): string {
  if (!pan) return text.replace(TYPED_SECRET, redactTyped);
  const runs = scrubRuns(text);
  return HAS_SECRET_NAME.test(runs) ? runs.replace(TYPED_SECRET, redactTyped) : runs;
}

/** The name and what separates it from the digits stay; the digits go. */
function redactTyped(_match: string, codeName: string | undefined, pinName: string | undefined): string {
  return codeName === undefined ? pinName + PIN_REDACTION : codeName + SECURITY_CODE_REDACTION;
}

function scrubRuns(text: string): string {
  return text.replace(PAN_CANDIDATE, (_match, run: string, rest: string | undefined) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length <= 19 && luhnValid(digits)) return PAN_REDACTION;
    const scrubbed = scrubGroups(run);
    // A track's rest goes with the card number it follows; else it is scrubbed as any other text (it may hold one).
    if (rest === undefined || scrubbed.endsWith(PAN_REDACTION)) return scrubbed;
    return scrubbed + scrubRuns(rest);
  });
}

/**
 * A run that is no card number as a whole may hold one between its groups: the longest Luhn-valid 13–19 digits made
 * of whole groups, from the first group on, is redacted. Only whole groups: a number written without a space or a
 * dash inside a longer one is not told apart from the digits around it, and trying every window of a long number
 * would redact one in ten order numbers.
 */
function scrubGroups(run: string): string {
  const parts = run.split(/([ -])/);
  let out = '';
  let i = 0;
  while (i < parts.length) {
    let end = -1;
    let digits = '';
    for (let j = i; j < parts.length && digits.length + parts[j]!.length <= 19; j += 2) {
      digits += parts[j];
      if (digits.length >= 13 && luhnValid(digits)) end = j;
    }
    if (end < 0) {
      out += parts[i]! + (parts[i + 1] ?? '');
      i += 2;
    } else {
      out += PAN_REDACTION + (parts[end + 1] ?? '');
      i = end + 2;
    }
  }
  return out;
}

export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/**
 * scrubStrings as a one-copy PaymentEvent check applies it (contracts/payment-event-exact.ts): the same scrub of
 * every string and the same card-secret keys left out, while the event is copied once for its check anyway.
 */
export const PAN_SCRUB = { text: scrubPan, dropKey: isSecretFieldName } as const;

/** Deep copy of `value` with every string scrubbed, every card-secret field removed and undefined fields dropped. */
export function scrubStrings<T>(value: T): T {
  if (typeof value === 'string') return scrubPan(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    // Object.keys, not Object.entries: the same own enumerable string keys in the same order, without a pair per key.
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v === undefined || isSecretFieldName(k)) continue;
      out[scrubPan(k)] = scrubStrings(v);
    }
    return out as T;
  }
  return value;
}
