import { InputError } from '../errors';
import { urlSettingOf } from '../http/web-url';

/**
 * A webhook trigger's Public URL (n8n's option, the Node-RED node's field): the URL the processor calls, when a proxy
 * or tunnel changes it. Square signs it with the body, so it is used as typed, a query included (webUrlFault, full);
 * blank is undefined (the URL the engine was called on). One that is no URL is refused naming `field`, instead of
 * every Square delivery failing its signature.
 */
export function triggerPublicUrl(field: string, raw: unknown): string | undefined {
  const example = 'write the URL the processor calls exactly as its webhook subscription shows it, such as https://hooks.example.com/terminal-crm/square, or leave it empty';
  // An expression's object read as blank would verify every delivery against another URL than the one it meant.
  if (raw !== null && typeof raw === 'object') throw new InputError(field, `is ${Array.isArray(raw) ? 'a list' : 'an object'}, not a URL`, example);
  return urlSettingOf(field, raw, { kind: 'full', example });
}
