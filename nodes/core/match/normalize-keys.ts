import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { MatchKey } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';

export function normalizeEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : undefined;
}

/** E.164, or undefined when the number is not a valid phone number for the given default region. */
export function normalizePhone(phone: string | undefined, defaultRegion: CountryCode = 'US'): string | undefined {
  if (!phone?.trim()) return undefined;
  const parsed = parsePhoneNumberFromString(phone, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

export interface EventKeys {
  /** Keys to attach to the customer this event belongs to. */
  attach: MatchKey[];
  /** Keys to look up: `attach` plus the card's tokens under retired keys. */
  lookup: MatchKey[];
}

/** The match keys an event carries, normalized, most specific first. */
export function keysOfEvent(event: TokenizedPaymentEvent, defaultRegion: CountryCode = 'US'): EventKeys {
  const attach: MatchKey[] = [{ kind: 'paymentId', value: `${event.source}:${event.paymentId}` }];
  const h = event.customerHints;
  if (h.processorCustomerId) attach.push({ kind: 'processorCustomerId', value: `${event.source}:${h.processorCustomerId}` });
  const email = normalizeEmail(h.email);
  if (email) attach.push({ kind: 'email', value: email });
  const phone = normalizePhone(h.phone, defaultRegion);
  if (phone) attach.push({ kind: 'phone', value: phone });
  const identity = event.card?.identity;
  if (identity?.kind === 'token') attach.push({ kind: 'cardToken', value: identity.value });
  const lookup = [...attach];
  if (identity?.kind === 'token') for (const t of identity.previous ?? []) lookup.push({ kind: 'cardToken', value: t });
  return { attach, lookup };
}
