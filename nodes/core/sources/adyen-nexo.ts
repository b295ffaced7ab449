import type { EntryMode } from '../contracts/payment-event';
import { adyenData, type AdyenData } from './adyen-fields';
import { obj, type Obj } from '../json/json-values';

/**
 * A Terminal API (nexo) field by name, whatever its case: Adyen's reference writes MaskedPAN, its libraries
 * MaskedPan, and POS apps that relay the message re-serialise it their own way.
 */
export function field(o: unknown, name: string): unknown {
  const record = obj(o);
  if (!record) return undefined;
  if (name in record) return record[name];
  const wanted = name.toLowerCase();
  for (const k of Object.keys(record)) if (k.length === wanted.length && k.toLowerCase() === wanted) return record[k];
  return undefined;
}

export function fieldObj(o: unknown, ...path: string[]): Obj | undefined {
  let at = o;
  for (const name of path) at = field(at, name);
  return obj(at);
}

/**
 * `Response.AdditionalResponse`: Adyen's additional data as URL-encoded key-value pairs (the default), or — when
 * the Customer Area's additional data format is JSON — a Base64-encoded JSON object holding them under
 * `additionalData` (read flat as well). A relay may also hand it over already decoded.
 */
export function parseAdditionalResponse(value: unknown): AdyenData {
  const decoded = obj(value);
  if (decoded) return pairsOf(decoded);
  if (typeof value !== 'string' || value.trim() === '') return {};
  const text = value.trim();
  const json = text.startsWith('{') ? text : /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64').toString('utf8') : undefined;
  if (json !== undefined) {
    try {
      const parsed = obj(JSON.parse(json));
      if (parsed) return pairsOf(parsed);
    } catch {
      // not JSON after all: read it as key-value pairs below
    }
  }
  return formPairs(text);
}

/**
 * The JSON format's object, decoded here or by a relay: its top-level pairs (refusalReason, store… sit there in flat
 * objects) with those under `additionalData`, which win on a clash. One reading for both ways in, so an object a
 * relay already decoded loses nothing the Base64 text of it would keep.
 */
function pairsOf(o: Obj): AdyenData {
  return { ...adyenData(o), ...adyenData(o.additionalData) };
}

/**
 * application/x-www-form-urlencoded pairs as URLSearchParams reads them (the last of a repeated key wins), split by
 * hand: URLSearchParams cost more than the rest of a terminal result's normalization. A text decodeURIComponent
 * refuses (a stray "%", bytes that are not UTF-8) goes to URLSearchParams, which reads those leniently.
 */
function formPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (let at = 0; at <= text.length; ) {
      let end = text.indexOf('&', at);
      if (end < 0) end = text.length;
      if (end > at) {
        const eq = text.indexOf('=', at);
        if (eq < 0 || eq > end) out[formDecode(text.slice(at, end))] = '';
        else out[formDecode(text.slice(at, eq))] = formDecode(text.slice(eq + 1, end));
      }
      at = end + 1;
    }
    return out;
  } catch {
    const lenient: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) lenient[k] = v;
    return lenient;
  }
}

function formDecode(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
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
