import { InputError } from '../nodes/core/errors';

export const PUBLIC_URL_ENV = 'TERMINAL_CRM_PUBLIC_URL';

/**
 * The webhook entry's base URL as processors call it (a proxy or tunnel in front), without a trailing slash; unset,
 * the Host header of each request. Square signs the full URL, so a base that is not one would fail every delivery.
 */
export function publicBaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[PUBLIC_URL_ENV]?.trim();
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.search || url.hash) {
    throw new InputError(PUBLIC_URL_ENV, `"${raw}" is not a base URL`, 'give the address processors call, such as https://pay.example.com (a path prefix is kept; no query), or leave it unset to use the Host header');
  }
  return raw.replace(/\/+$/, '');
}
