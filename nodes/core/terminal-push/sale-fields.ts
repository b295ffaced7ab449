import { currencyExponent } from '../contracts/money';
import { NOT_SENT, type PushOutcome, type SaleRequest, type TerminalPush, type TerminalVendor } from './terminal-push';

/** How an amount is written: as an operator types a price (12.50), or as APIs store it (1250 cents). */
export const AMOUNT_UNITS = ['major', 'minor'] as const;
export type AmountUnit = (typeof AMOUNT_UNITS)[number];

/** A sale's currency, trimmed and upper-cased (the Node-RED dialog reads it through resources/editor-core.js). */
export const SALE_CURRENCY = /^[A-Z]{3}$/;

/**
 * A sale as a flow gives it: form fields and message properties, so anything may arrive as text or as a number
 * (an expression that reads a CRM record hands over numbers). The faces pass them on as they are; this is the one
 * place that turns them into a SaleRequest.
 */
export interface SaleFields {
  readerId?: unknown;
  amount?: unknown;
  /** Default "major". */
  amountUnit?: unknown;
  currency?: unknown;
  customerId?: unknown;
  crmRecordId?: unknown;
  reference?: unknown;
  description?: unknown;
  processorCustomerId?: unknown;
}

/**
 * The SaleRequest the fields describe, or a `rejected` outcome naming the field — the same shape as the adapters'
 * own checks, so a flow routes an amount typed as "12,50" like any other refusal. The amount is converted from its
 * digits, never through a binary float: "0.1" stays 10 cents, and 19.999 USD is refused, not rounded.
 */
export function saleFromFields(vendor: TerminalVendor, fields: SaleFields): { sale: SaleRequest } | { rejected: PushOutcome } {
  const readerId = text(fields.readerId) ?? '';
  const reference = text(fields.reference) ?? '';
  const reject = (field: string, message: string): { rejected: PushOutcome } => ({
    rejected: { outcome: 'rejected', vendor, readerId, reference, field, message: `${NOT_SENT}${field} ${message}` },
  });
  // An expression that hands over an object or a list would be dropped below, sending the sale without it.
  for (const [field, v] of Object.entries(fields)) {
    if (v !== undefined && v !== null && text(v) === undefined) return reject(field, `is ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`}, not text. Map it to one value of the item, not the object that holds it.`);
  }

  const currency = (text(fields.currency) ?? '').toUpperCase();
  if (!SALE_CURRENCY.test(currency)) return reject('currency', `"${currency}" is not a currency. Give the three-letter ISO 4217 code, such as USD, EUR or JPY.`);
  const unit = text(fields.amountUnit) || 'major';
  if (!(AMOUNT_UNITS as readonly string[]).includes(unit)) return reject('amountUnit', `"${unit}" is not a unit. Use "major" (12.50) or "minor" (1250).`);
  const amount = fields.amount;
  const written = typeof amount === 'number' ? amount : text(amount);
  if (written === undefined || written === '') return reject('amount', 'is empty. Give the price of the sale.');

  const exp = currencyExponent(currency);
  const minor = saleMinorUnits(written, unit, exp);
  if (minor === 'not whole') return reject('amount', `"${written}" is not a whole number of minor units. Give cents (1250 for 12.50 ${currency}), or switch the unit to major.`);
  if (minor === 'not a price') {
    return reject('amount', `"${written}" is not a price. Write it with digits and a dot for decimals, no currency sign or thousands separator: ${exp === 0 ? '1500' : `12.${'5'.padEnd(exp, '0')}`}.`);
  }
  if (minor === 'too many decimals') return reject('amount', `${typeof written === 'number' ? String(written) : written} has more decimals than ${currency} has (${exp}). Round the price in the CRM.`);
  if (minor === 'too large') return reject('amount', `${typeof written === 'number' ? String(written) : written} is too large.`);
  if (minor === 'not above 0') return reject('amount', `${typeof written === 'number' ? String(written) : written} is not more than 0 ${currency}. Give the price of the sale.`);

  const sale: SaleRequest = { amount: { minor, currency }, readerId, customerId: text(fields.customerId) ?? '', reference };
  const optional = { crmRecordId: text(fields.crmRecordId), description: text(fields.description), processorCustomerId: text(fields.processorCustomerId) };
  for (const [k, v] of Object.entries(optional)) if (v) (sale as unknown as Record<string, string>)[k] = v;
  return { sale };
}

/**
 * A sale's amount as written (text trimmed, or a number) in ISO minor units at the currency's exponent, or why it is
 * none. Major: digits and an optional dot with decimals, converted from the digits, trailing zeros not counting
 * (12.50 USD is 1250; 19.999 USD has too many decimals). Minor: digits only. Either a safe integer above 0. It uses
 * nothing outside itself: the Node-RED dialog runs its compiled source (resources/editor-core.js).
 */
export function saleMinorUnits(written: string | number, unit: string, exponent: number): number | 'not a price' | 'not whole' | 'too many decimals' | 'too large' | 'not above 0' {
  let minor: number;
  if (unit === 'minor') {
    minor = typeof written === 'number' ? written : /^\d+$/.test(written) ? Number(written) : NaN;
    if (!Number.isSafeInteger(minor)) return 'not whole';
  } else {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(String(written));
    if (!m) return 'not a price';
    const kept = (m[2] ?? '').replace(/0+$/, '');
    if (kept.length > exponent) return 'too many decimals';
    minor = Number(m[1] + kept.padEnd(exponent, '0'));
    if (!Number.isSafeInteger(minor)) return 'too large';
  }
  return minor > 0 ? minor : 'not above 0';
}

/** Checks the fields and pushes the sale: every refusal, ours or the vendor's, comes back as an outcome. */
export async function pushSaleFromFields(push: TerminalPush, fields: SaleFields): Promise<PushOutcome> {
  const built = saleFromFields(push.vendor, fields);
  return 'rejected' in built ? built.rejected : push.pushSale(built.sale);
}

/** Text as typed, trimmed; numbers (an id read from a CRM record) as their digits; anything else absent. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}
