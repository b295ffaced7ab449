import { axiosTransport } from '../../http/axios-transport';
import { OAuth2TokenError } from '../../http/oauth2-token';
import { TokenCache, type AccessToken } from '../../http/token-cache';
import type { HttpTransport } from '../../http/http-transport';
import { tokenFailure } from './crm-errors';
import type { PipedriveSettings } from './pipedrive-settings';

type PipedriveOAuth = NonNullable<PipedriveSettings['oauth']>;

/**
 * Pipedrive's refresh-token grant. Unlike the generic form in oauth2-token.ts, Pipedrive wants the client id and
 * secret as HTTP Basic credentials (its official SDK, src/versions/v2/configuration.ts `tokenRefresh`), and the answer
 * names the company's own API host in `api_domain`, which later calls must use.
 */
export async function requestPipedriveToken(http: HttpTransport, oauth: PipedriveOAuth, now = Date.now()): Promise<AccessToken & { refreshToken?: string }> {
  const res = await http.request({
    method: 'POST',
    url: oauth.tokenUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oauth.refreshToken }).toString(),
  });
  const body = (res.body ?? {}) as Record<string, unknown>;
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    const why = typeof body.error_description === 'string' ? body.error_description : typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new OAuth2TokenError(`Pipedrive refused the token refresh at ${oauth.tokenUrl}: ${why}`, res.status);
  }
  const expiresIn = Number(body.expires_in);
  return {
    token: body.access_token,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : undefined,
    instanceUrl: typeof body.api_domain === 'string' ? body.api_domain : undefined,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

/**
 * The transport for Pipedrive outside n8n: the API token as `x-api-token` (never in the query string, where it
 * would land in proxy logs), or an OAuth access token kept until it expires and refreshed once after a 401.
 */
export function pipedriveAxiosTransport(settings: PipedriveSettings, now: () => number = Date.now): HttpTransport {
  if (settings.apiToken) {
    return axiosTransport({ baseUrl: settings.baseUrl, auth: { header: 'x-api-token', value: settings.apiToken }, timeoutMs: settings.timeoutMs });
  }
  const oauth = { ...settings.oauth! };
  const tokenHttp = axiosTransport({ timeoutMs: settings.timeoutMs });
  const tokens = new TokenCache(async () => {
    let t: Awaited<ReturnType<typeof requestPipedriveToken>>;
    try {
      t = await requestPipedriveToken(tokenHttp, oauth, now());
    } catch (e) {
      throw tokenFailure('pipedrive', e, 'check the client id, secret and refresh token');
    }
    // Keep whatever refresh token Pipedrive hands back, in case it rotates it.
    if (t.refreshToken) oauth.refreshToken = t.refreshToken;
    return { token: t.token, expiresAt: t.expiresAt, instanceUrl: t.instanceUrl };
  }, now);
  return axiosTransport({ baseUrl: settings.baseUrl, auth: { tokens, scheme: 'Bearer' }, timeoutMs: settings.timeoutMs, baseUrlFromToken: true });
}
