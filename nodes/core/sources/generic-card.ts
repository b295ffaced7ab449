import { EntryModeSchema, type Card, type EntryMode } from '../contracts/payment-event';
import { cardBrand } from './card-brand';
import type { FieldSpec, GenericConfig } from './generic-config';
import type { FieldReader } from './generic-fields';

const FUNDING: Record<string, Card['funding']> = { credit: 'credit', credit_card: 'credit', debit: 'debit', debit_card: 'debit', prepaid: 'prepaid', prepaid_card: 'prepaid' };

/** Card details; a masked (or, wrongly, a full) card number yields only its BIN and last four, never itself. */
export function cardOf(config: GenericConfig, read: FieldReader): Card | undefined {
  const c = config.mapping.card;
  if (!c) return undefined;
  const text = (name: string, spec: FieldSpec | undefined) => {
    const f = read(`card.${name}`, spec);
    return f ? String(f.value).trim() : undefined;
  };
  const masked = text('maskedPan', c.maskedPan);
  const maskedBin = masked ? /^\d{6,}/.exec(masked)?.[0].slice(0, 6) : undefined;
  const maskedLast4 = masked ? /\d{4}$/.exec(masked)?.[0] : undefined;
  const last4Text = text('last4', c.last4)?.replace(/\D/g, '');
  const binText = text('bin', c.bin)?.replace(/\D/g, '');
  const expiry = expiryOf(text('expiry', c.expiry));
  const funding = text('funding', c.funding)?.toLowerCase();
  const entry = text('entryMode', c.entryMode)?.toLowerCase();
  const fingerprint = text('fingerprint', c.fingerprint);
  const card = {
    // A gateway's own spelling (MASTERCARD, mc, "American Express") read as the processors' sources read theirs.
    brand: cardBrand(text('brand', c.brand)),
    last4: last4Text && last4Text.length >= 4 ? last4Text.slice(-4) : maskedLast4,
    bin: binText && binText.length >= 6 ? binText.slice(0, binText.length > 8 ? 6 : 8) : maskedBin,
    expMonth: monthOf(text('expMonth', c.expMonth)) ?? expiry?.month,
    expYear: yearOf(text('expYear', c.expYear)) ?? expiry?.year,
    funding: funding ? (FUNDING[funding] ?? 'unknown') : undefined,
    wallet: text('wallet', c.wallet),
    identity: fingerprint ? ({ kind: 'fingerprint', value: fingerprint } as const) : undefined,
  };
  if (Object.values(card).every((v) => v === undefined) && !entry) return undefined;
  const parsedEntry = EntryModeSchema.safeParse(entry);
  return { ...card, entryMode: parsedEntry.success ? (parsedEntry.data as EntryMode) : 'unknown' };
}

function monthOf(text: string | undefined): number | undefined {
  const n = text && /^\d{1,2}$/.test(text) ? Number(text) : undefined;
  return n && n >= 1 && n <= 12 ? n : undefined;
}

function yearOf(text: string | undefined): number | undefined {
  if (!text || !/^\d{2}(\d{2})?$/.test(text)) return undefined;
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

function expiryOf(text: string | undefined): { month?: number; year?: number } | undefined {
  const m = text ? /^(\d{2})\/?(\d{2}|\d{4})$/.exec(text) : null;
  return m ? { month: monthOf(m[1]), year: yearOf(m[2]) } : undefined;
}

