import { urlSettingOf } from '../nodes/core/http/web-url';

export const PUBLIC_URL_ENV = 'TERMINAL_CRM_PUBLIC_URL';

/**
 * The webhook entry's base URL as processors call it (a proxy or tunnel in front), without a trailing slash; unset,
 * the Host header of each request. Square signs the full URL, so a base that is not one would fail every delivery.
 * Read as every base URL setting is (http/web-url.ts webUrlFault): http(s), a host, a path prefix kept, no query.
 */
export function publicBaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return urlSettingOf(PUBLIC_URL_ENV, env[PUBLIC_URL_ENV], {
    kind: 'base',
    called: 'a base URL',
    example: 'give the address processors call, such as https://pay.example.com (a path prefix is kept; no query), or leave it unset to use the Host header',
  });
}
