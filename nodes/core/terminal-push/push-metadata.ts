import type { ParsedSale, TerminalVendor } from './terminal-push';

/**
 * The names under which a pushed sale carries its customer and CRM record. Sources read them back with
 * `attributionFrom` to attribute the payment without matching.
 *
 * Stripe's metadata keys may be 40 characters long, so the names say what they are. Adyen allows 20 characters per
 * key and 80 per value (Checkout API `metadata`, see @adyen/api-library typings/checkout/paymentRequest.d.ts), so
 * its names are shortened. Square checkouts have no metadata: the same long names travel as tags in the note, which
 * Square copies to the payment (TerminalCheckout.note, max 500 characters).
 */
export const STRIPE_METADATA_KEYS = {
  customerId: 'terminal_crm_customer_id',
  crmRecordId: 'terminal_crm_record_id',
  reference: 'terminal_crm_reference',
  /** The name the Stripe Terminal source already reads the reader from (sources/stripe-terminal.ts). */
  readerId: 'reader_id',
} as const;

export const ADYEN_METADATA_KEYS = {
  customerId: 'tcrm_customer_id',
  crmRecordId: 'tcrm_record_id',
  reference: 'tcrm_reference',
  readerId: 'reader_id',
} as const;

export const ADYEN_METADATA_LIMITS = { keyLength: 20, valueLength: 80, entries: 20 } as const;

type Keys = { readonly customerId: string; readonly crmRecordId: string; readonly reference: string; readonly readerId: string };

/** The metadata a sale writes, under `keys`; absent values are left out rather than written empty. */
export function pushMetadata(sale: ParsedSale, keys: Keys): Record<string, string> {
  const out: Record<string, string> = { [keys.customerId]: sale.customerId };
  if (sale.crmRecordId) out[keys.crmRecordId] = sale.crmRecordId;
  out[keys.reference] = sale.reference;
  out[keys.readerId] = sale.readerId;
  return out;
}

export interface PushAttribution {
  customerId: string;
  crmRecordId?: string;
  reference?: string;
}

/**
 * The customer and CRM record a pushed sale wrote, from a payment's metadata (Stripe `metadata`, Adyen
 * `additionalData` with or without its `metadata.` prefix) or a Square note. Undefined when the payment was not
 * pushed by the pack.
 */
export function attributionFrom(source: { metadata?: Record<string, string | undefined>; note?: string | null }): PushAttribution | undefined {
  const md = source.metadata ?? {};
  for (const keys of [STRIPE_METADATA_KEYS, ADYEN_METADATA_KEYS]) {
    const customerId = md[keys.customerId] ?? md[`metadata.${keys.customerId}`];
    if (customerId) {
      return strip({ customerId, crmRecordId: md[keys.crmRecordId] ?? md[`metadata.${keys.crmRecordId}`], reference: md[keys.reference] ?? md[`metadata.${keys.reference}`] });
    }
  }
  const tags = source.note ? noteTags(source.note) : {};
  const customerId = tags[STRIPE_METADATA_KEYS.customerId];
  return customerId ? strip({ customerId, crmRecordId: tags[STRIPE_METADATA_KEYS.crmRecordId], reference: tags[STRIPE_METADATA_KEYS.reference] }) : undefined;
}

const NOTE_TAG_OPEN = '[';
const NOTE_TAG_CLOSE = ']';

/**
 * A Square note: the description first (cut to fit), then the tags, which are never cut — a note that lost its
 * customer id would defeat the push. Values are URI-encoded so a space or bracket in a CRM id cannot end a tag.
 */
export function squareNote(sale: ParsedSale, maxLength: number): string | undefined {
  const tags = `${NOTE_TAG_OPEN}${Object.entries(pushMetadata(sale, STRIPE_METADATA_KEYS))
    .filter(([k]) => k !== STRIPE_METADATA_KEYS.readerId)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join(' ')}${NOTE_TAG_CLOSE}`;
  if (tags.length > maxLength) return undefined;
  const room = maxLength - tags.length - 1;
  const description = sale.description && room > 0 ? sale.description.slice(0, room).trimEnd() : '';
  return description ? `${description} ${tags}` : tags;
}

function noteTags(note: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of note.matchAll(/\b(terminal_crm_[a-z_]+)=([^\s\]]+)/g)) {
    try {
      out[m[1]!] = decodeURIComponent(m[2]!);
    } catch {
      out[m[1]!] = m[2]!;
    }
  }
  return out;
}

function strip(a: PushAttribution): PushAttribution {
  const out: PushAttribution = { customerId: a.customerId };
  if (a.crmRecordId) out.crmRecordId = a.crmRecordId;
  if (a.reference) out.reference = a.reference;
  return out;
}

/** Which push vendor's sales a source's payments can be: Adyen's webhooks and its Terminal API both carry them. */
const PUSH_VENDOR_OF_SOURCE: Readonly<Record<string, TerminalVendor>> = { stripe: 'stripe', square: 'square', adyen: 'adyen', 'adyen-terminal': 'adyen' };

/**
 * The sale a payment completes, when the pack pushed it to the reader: the vendor and reference that name the
 * Send to Terminal workflow waiting for it. Undefined for any other payment, and for anything but a completed
 * payment (a decline is reported by the push itself).
 */
export function pushedSaleOf(event: { source: string; kind: string; metadata?: Record<string, string | undefined> }): { vendor: TerminalVendor; reference: string } | undefined {
  const vendor = PUSH_VENDOR_OF_SOURCE[event.source];
  if (!vendor || event.kind !== 'payment') return undefined;
  const reference = attributionFrom({ metadata: event.metadata, note: event.metadata?.note })?.reference;
  return reference ? { vendor, reference } : undefined;
}
