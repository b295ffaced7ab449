import type { EntryMode } from '../contracts/payment-event';
import { adyenData, obj, type AdyenData, type Obj } from './adyen-fields';

/**
 * A Terminal API (nexo) field by name, whatever its case: Adyen's reference writes MaskedPAN, its libraries
 * MaskedPan, and POS apps that relay the message re-serialise it their own way.
 */
export function field(o: unknown, name: string): unknown {
  const record = obj(o);
  if (!record) return undefined;
  if (name in record) return record[name];
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export const fieldObj = (o: unknown, ...path: string[]): Obj | undefined => obj(path.reduce<unknown>((at, name) => field(at, name), o));

/**
 * `Response.AdditionalResponse`: Adyen's additional data as URL-encoded key-value pairs (the default), or — when
 * the Customer Area's additional data format is JSON — a Base64-encoded JSON object holding them under
 * `additionalData` (read flat as well). A relay may also hand it over already decoded.
 */
export function parseAdditionalResponse(value: unknown): AdyenData {
  if (obj(value)) return adyenData(obj(value)!.additionalData ?? value);
  if (typeof value !== 'string' || value.trim() === '') return {};
  const text = value.trim();
  const json = text.startsWith('{') ? text : /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64').toString('utf8') : undefined;
  if (json !== undefined) {
    try {
      const parsed = obj(JSON.parse(json));
      if (parsed) return { ...adyenData(parsed), ...adyenData(parsed.additionalData) };
    } catch {
      // not JSON after all: read it as key-value pairs below
    }
  }
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

/** nexo's EntryMode values (ICC, Contactless, Tapped, MagStripe, Keyed… — CardData.EntryModeEnum) → entry mode. */
const NEXO_ENTRY_MODES: Record<string, EntryMode> = {
  icc: 'chip',
  synchronousicc: 'chip',
  contactless: 'contactless',
  tapped: 'contactless',
  rfid: 'contactless',
  mobile: 'contactless',
  magstripe: 'swipe',
  keyed: 'keyed',
  manual: 'keyed',
};

export function entryModeFromNexo(modes: unknown): EntryMode | undefined {
  const list = Array.isArray(modes) ? modes : typeof modes === 'string' ? [modes] : [];
  for (const m of list) {
    const mode = typeof m === 'string' ? NEXO_ENTRY_MODES[m.toLowerCase()] : undefined;
    if (mode) return mode;
  }
  return list.length > 0 ? 'unknown' : undefined;
}

/**
 * BIN and last four from a masked card number ("541333 **** 9999"): the only digits of it the pack keeps. A
 * masked number with more visible digits than that is cut down to those two parts.
 */
export function binAndLast4(masked: unknown): { bin?: string; last4?: string } {
  if (typeof masked !== 'string') return {};
  const compact = masked.replace(/[\s-]/g, '');
  return { bin: /^(\d{6})/.exec(compact)?.[1], last4: /(\d{4})$/.exec(compact)?.[1] };
}
