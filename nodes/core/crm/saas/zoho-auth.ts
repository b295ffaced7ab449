import { axiosTransport } from '../../http/axios-transport';
import { requestOAuth2Token } from '../../http/oauth2-token';
import { TokenCache } from '../../http/token-cache';
import type { HttpTransport } from '../../http/http-transport';
import { tokenFailure } from './crm-errors';
import type { ZohoSettings } from './zoho-settings';

/**
 * The transport for Zoho CRM outside n8n. Zoho's access tokens live an hour and come from the refresh-token grant at
 * the data centre's accounts server (client id and secret in the form, as Zoho's SDK sends them); the answer's
 * `api_domain` is where the org's API lives, unless a base URL was set on purpose. Zoho wants its own scheme:
 * `Authorization: Zoho-oauthtoken <token>`. Zoho also caps how many access tokens a refresh token may mint in a
 * short time, which is one more reason the token is cached until it expires and never fetched per call.
 */
export function zohoAxiosTransport(settings: ZohoSettings, now: () => number = Date.now): HttpTransport {
  const tokenHttp = axiosTransport({ timeoutMs: settings.timeoutMs });
  const tokens = new TokenCache(async () => {
    try {
      return await requestOAuth2Token(
        tokenHttp,
        settings.tokenUrl,
        { grant: 'refresh_token', clientId: settings.clientId, clientSecret: settings.clientSecret, refreshToken: settings.refreshToken },
        now(),
      );
    } catch (e) {
      throw tokenFailure('zoho', e, `check the client id and secret, and that the refresh token was made at ${settings.tokenUrl.replace(/\/oauth\/v2\/token$/, '')} (the account's data centre) and is not revoked`);
    }
  }, now);
  return axiosTransport({
    baseUrl: settings.apiBaseUrl,
    auth: { tokens, scheme: 'Zoho-oauthtoken' },
    timeoutMs: settings.timeoutMs,
    baseUrlFromToken: !settings.baseUrl,
  });
}
