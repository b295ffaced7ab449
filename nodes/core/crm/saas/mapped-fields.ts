import type { CustomerProfile } from '../../contracts/customer';
import type { CrmPayment } from './crm-adapter';

type Value = string | number | boolean | null;

/** Pack field → the CRM's field (column) name, or null where the operator turned the field off. */
type FieldNames<K extends string> = { readonly [P in K]?: string | null };

type ContactField = 'givenName' | 'familyName' | 'email' | 'phone' | 'street' | 'city' | 'postalCode' | 'region' | 'country' | 'dateOfBirth';
type PaymentField =
  | 'source' | 'paymentId' | 'amountMinor' | 'refundedMinor' | 'currency' | 'status' | 'occurredAt'
  | 'cardBrand' | 'cardLast4' | 'entryMode' | 'wallet' | 'readerId' | 'locationId';

export function putMapped(record: Record<string, unknown>, field: string | null | undefined, value: Value | undefined): void {
  // Only what the pack knows is written: a value missing here, or only blanks, must not blank what a person typed
  // into the CRM (and a CRM refuses blanks in an email or phone field).
  const written = typeof value === 'string' ? value.trim() : value;
  if (field && written !== undefined && written !== '') record[field] = written;
}

/** A customer's details into the fields a CRM's settings map them to (a single name goes to the family name). */
export function putContactFields(record: Record<string, unknown>, f: FieldNames<ContactField>, p: CustomerProfile): void {
  putMapped(record, f.givenName, p.givenName);
  putMapped(record, f.familyName, p.familyName ?? p.name);
  putMapped(record, f.email, p.email);
  putMapped(record, f.phone, p.phone);
  putMapped(record, f.street, p.street);
  putMapped(record, f.city, p.city);
  putMapped(record, f.postalCode, p.postalCode);
  putMapped(record, f.region, p.region);
  putMapped(record, f.country, p.country);
  putMapped(record, f.dateOfBirth, p.dateOfBirth);
}

/** A payment's facts into the fields a CRM's settings map them to; money as integer minor units beside its currency. */
export function putPaymentFields(record: Record<string, unknown>, f: FieldNames<PaymentField>, p: CrmPayment): void {
  putMapped(record, f.source, p.source);
  putMapped(record, f.paymentId, p.paymentId);
  putMapped(record, f.amountMinor, p.amount.minor);
  putMapped(record, f.refundedMinor, p.refunded.minor);
  putMapped(record, f.currency, p.amount.currency);
  putMapped(record, f.status, p.status);
  putMapped(record, f.occurredAt, p.occurredAt);
  putMapped(record, f.cardBrand, p.card?.brand);
  putMapped(record, f.cardLast4, p.card?.last4);
  putMapped(record, f.entryMode, p.card?.entryMode);
  putMapped(record, f.wallet, p.card?.wallet);
  putMapped(record, f.readerId, p.terminal?.readerId);
  putMapped(record, f.locationId, p.terminal?.locationId);
}
