/**
 * Card data must never travel past tokenize, whatever field a person typed it into. A candidate is a run of
 * 13–19 digits, optionally grouped by single spaces or dashes; it is redacted when it passes the Luhn check,
 * which is what separates a card number from an order or phone number of the same length.
 */
const PAN = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/;
/**
 * What follows a card number in a swiped track, pasted whole: track 2's "=" and track 1's "^NAME^", then expiry,
 * service code and the discretionary data (where the card's CVV1 and PIN verification value are). It goes with the
 * card number, or the track's secrets would stay behind the redaction.
 */
const TRACK_REST = /=\d{4,40}\??|\^[^^]{0,26}\^\d{4,80}\??/;
const PAN_CANDIDATE = new RegExp(`(${PAN.source})(${TRACK_REST.source})?`, 'g');
/** The card number alone, not global: a test without lastIndex state, to skip the replace for the many strings with no candidate. */
const HAS_PAN_CANDIDATE = PAN;
export const PAN_REDACTION = '[redacted card number]';

/** Field names whose values are card secrets by definition; they are dropped, not scrubbed. */
const SECRET_FIELD = /^(pan|card_?number|track_?[12]?(_?data)?|cvv2?|cvc2?|cid|pin|pin_?block|emv_?auth_?data)$/i;

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
  if (text.length < 13 || !HAS_PAN_CANDIDATE.test(text)) return text;
  if (text.includes('-') && UUID.test(text)) {
    UUID.lastIndex = 0;
    const parts = text.split(UUID);
    const ids = text.match(UUID)!;
    return parts.map((part, i) => scrubRuns(part) + (ids[i] ?? '')).join('');
  }
  return scrubRuns(text);
}

function scrubRuns(text: string): string {
  return text.replace(PAN_CANDIDATE, (_match, run: string, rest: string | undefined) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return PAN_REDACTION;
    // Not a card number: what looked like its track's rest is scrubbed as any other text (it may hold one).
    return rest === undefined ? run : run + scrubRuns(rest);
  });
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
