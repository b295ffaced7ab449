import { z } from 'zod/v4';
import { InputError } from '../errors';

/**
 * What a URL setting may be, as the operator types it (trimmed):
 * - `base`: an API's, a token endpoint's or a proxy's address that paths are appended to
 *   (`https://api.hubapi.com`, `http://127.0.0.1:8080/hubspot`): http(s)://host[:port][/path], no query, no fragment;
 * - `origin`: the same without a path (a Dynamics environment URL, which is also its token scope);
 * - `full`: a URL used as it is, such as the one Square signs: a query allowed, no fragment (never sent).
 * Plain http is taken (a local proxy or mock); `httpsOnly` refuses it where a token or secret goes to the address.
 */
export type WebUrlKind = 'base' | 'origin' | 'full';

/**
 * What is wrong with `text` (already trimmed) as a URL setting of this kind, or undefined when it is usable. The
 * Node-RED dialogs run this very function (resources/editor-core.js carries its compiled source): it must use
 * nothing outside itself but the URL class, which browsers and Node.js share.
 */
export function webUrlFault(text: string, kind: WebUrlKind, httpsOnly: boolean): string | undefined {
  const wanted = httpsOnly ? 'https://' : 'https:// or http://';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (!scheme || /^\d/.test(text.slice(scheme[0].length))) return `has no scheme; write it whole, starting with ${wanted}`;
  const s = scheme[1]!.toLowerCase();
  if (s !== 'https' && (httpsOnly || s !== 'http')) return `starts with ${s}:, not ${wanted}`;
  if (/\s/.test(text)) return 'has a space in it; remove it (a space in an address is written %20)';
  const parts = /^[A-Za-z]+:\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(text);
  if (!parts) return `has no "//" after its scheme; write ${wanted} and then the host`;
  const host = parts[1]!.replace(/^[^@]*@/, '');
  if (host === '' || host.charAt(0) === ':') return 'names no host after "//"';
  try {
    new URL(text);
  } catch {
    return 'has a host or port no URL can have (a port is a number up to 65535)';
  }
  if (parts[4] !== undefined) return 'has a fragment (#…), which is never sent; remove it';
  if (parts[3] !== undefined && kind !== 'full') return 'has a query (?…), which the paths called would be added after; remove it';
  if (kind === 'origin' && parts[2]!.replace(/\/+$/, '') !== '') return 'has a path; give the address alone, with no path after the host';
  return undefined;
}

/** A usable setting as the run reads it: a base URL or origin without trailing slashes, a full URL as typed. */
export function webUrlOf(text: string, kind: WebUrlKind): string {
  return kind === 'full' ? text : text.replace(/\/+$/, '');
}

/**
 * The zod schema of a URL setting: text, trimmed, refused with what is wrong and how to write it (`example`, such
 * as "use https://connect.squareup.com, or https://connect.squareupsandbox.com for the sandbox"), normalised by
 * webUrlOf. Blank and default handling stay with the caller.
 */
export function webUrlSetting(options: { kind?: WebUrlKind; httpsOnly?: boolean; example: string }) {
  const kind = options.kind ?? 'base';
  const httpsOnly = options.httpsOnly ?? false;
  return z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const fault = webUrlFault(v, kind, httpsOnly);
      if (fault) ctx.addIssue({ code: 'custom', message: `${urlRefused(v, fault)}; ${options.example}` });
    })
    .transform((v) => webUrlOf(v, kind));
}

/**
 * A URL setting a face reads on its own (a trigger's Public URL): blank or no text is undefined (the caller's
 * default), a usable one as the run reads it (webUrlOf), anything else an InputError naming `field` with `example`.
 */
export function urlSettingOf(
  field: string,
  raw: unknown,
  options: { kind: WebUrlKind; httpsOnly?: boolean; example: string; called?: string },
): string | undefined {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) return undefined;
  const fault = webUrlFault(text, options.kind, options.httpsOnly ?? false);
  if (fault) throw new InputError(field, urlRefused(text, fault, options.called), options.example);
  return webUrlOf(text, options.kind);
}

/** How a refused URL setting is told, `called` what the setting should have been ("a base URL"). */
export function urlRefused(text: string, fault: string, called = 'a usable URL'): string {
  return `"${text}" is not ${called}: it ${fault}`;
}
