import { createHash } from 'node:crypto';
import type { HttpTransport } from '../http/http-transport';
import { OAuth2TokenError, requestOAuth2Token } from '../http/oauth2-token';
import { TokenCache } from '../http/token-cache';
import type { RenewableToken } from './bearer-get';
import { CredentialFieldError } from './credential-error';

export const ZETTLE_OAUTH_BASE_URL = 'https://oauth.zettle.com';

/** A Zettle answer that is not a success and no credential's fault (a 429, a 5xx): for a retry. */
export class ZettleApiError extends Error {
  constructor(
    readonly status: number,
    what: string,
    api: 'Purchase API' | 'OAuth API' = 'Purchase API',
  ) {
    super(`Zettle ${api} answered ${status} ${what}${status === 429 ? ' (rate limited; retry later)' : ''}`);
    this.name = 'ZettleApiError';
  }
}

/**
 * How the Purchase API is called: with an access token as given (it lives 7200 seconds, so it suits a test or a
 * token kept fresh elsewhere), or with a merchant's API key, which the pack exchanges for access tokens itself (the
 * assertion grant of a self-hosted app: oauth-api/user-guides/set-up-app-authorisation/set-up-authorisation-
 * assertion-grant.md, "Use the same API key to generate a new access token").
 */
export interface ZettleAuth extends RenewableToken {
  /** The credential field a refusal names. */
  readonly field: 'accessToken' | 'apiKey';
}

export interface ZettleAuthSettings {
  accessToken?: string;
  apiKey?: string;
  clientId?: string;
  oauthBaseUrl?: string;
}

/**
 * Tokens per API key, kept across deliveries and polls (a source is made anew for each): one token request per
 * 7200 seconds, not one per refund. Only the token lives here; losing it on a restart costs one request. Tokens are
 * asked for through the transport of the call that first needed one: every transport reaches the same endpoint.
 */
const caches = new Map<string, TokenCache>();

export function zettleAuth(s: ZettleAuthSettings, http: HttpTransport): ZettleAuth | undefined {
  if (http.authenticates && (s.accessToken || (s.apiKey && s.clientId))) {
    // n8n: its credential exchanges the API key (preAuthentication) and signs each request; a 401 it could not cure
    // is the credential's to fix.
    return { field: s.apiKey ? 'apiKey' : 'accessToken', token: async () => '', renew: () => undefined };
  }
  if (s.apiKey && s.clientId) {
    const tokenUrl = `${(s.oauthBaseUrl ?? ZETTLE_OAUTH_BASE_URL).replace(/\/+$/, '')}/token`;
    const key = [tokenUrl, s.clientId, createHash('sha256').update(s.apiKey).digest('hex')].join('\n');
    let cache = caches.get(key);
    if (!cache) {
      const { apiKey, clientId } = s;
      cache = new TokenCache(() => exchangeZettleApiKey(http, { apiKey, clientId, tokenUrl }));
      caches.set(key, cache);
    }
    const tokens = cache;
    return { field: 'apiKey', token: async () => (await tokens.get()).token, renew: async () => (await tokens.renew()).token };
  }
  const given = s.accessToken;
  if (!given) return undefined;
  return { field: 'accessToken', token: async () => given, renew: () => undefined };
}

/** One access token for an API key (the credential test asks for one too): a refusal names the key and the client ID. */
export async function exchangeZettleApiKey(http: HttpTransport, s: { apiKey: string; clientId: string; tokenUrl?: string }) {
  const { apiKey, clientId } = s;
  const tokenUrl = s.tokenUrl ?? `${ZETTLE_OAUTH_BASE_URL}/token`;
  try {
    return await requestOAuth2Token(http, tokenUrl, { grant: 'jwt_bearer', clientId, assertion: () => apiKey });
  } catch (e) {
    if (!(e instanceof OAuth2TokenError)) throw e;
    if (e.transient) throw new ZettleApiError(e.status ?? 0, 'getting an access token for the API key', 'OAuth API');
    // invalid_grant: "the API key is invalid or revoked by the merchant"; invalid_client: an unknown client ID.
    throw new CredentialFieldError(
      ['apiKey', 'clientId'],
      `Zettle did not issue an access token for the API key (${e.message.replace(/^.*was refused: /, '')})`,
      'ask the merchant for a new API key with READ:PURCHASE at my.zettle.com (Integrations, API keys), and check the client ID it was created with',
    );
  }
}
