import { axiosTransport } from '../../http/axios-transport';
import { bearerTransport } from '../../http/bearer-transport';
import { requestOAuth2Token } from '../../http/oauth2-token';
import { sharedTokenSlot, TokenCache, type AccessToken } from '../../http/token-cache';
import type { HttpTransport } from '../../http/http-transport';
import { CrmConfigError, tokenFailure } from './crm-errors';
import type { DynamicsSettings } from './dynamics-settings';

const CRM = 'dynamics';

/** Entra ID's v2.0 token endpoint of the tenant the app registration lives in. */
export function dynamicsTokenUrl(settings: DynamicsSettings): string {
  const auth = settings.auth!;
  return `${auth.authorityUrl}/${encodeURIComponent(auth.tenantId)}/oauth2/v2.0/token`;
}

export interface DynamicsTransportOptions {
  /**
   * What carries the token request and every call, unsigned: n8n's httpRequestWithAuthentication inside n8n (the
   * credential has no `authenticate`, so n8n sends them as they are); default axios.
   */
  http?: HttpTransport;
  /** HTTP for the token request alone (tests record it); default `http`. */
  tokenHttp?: HttpTransport;
  now?: () => number;
  /**
   * Keep the token per account in this process (sharedTokenSlot), not per transport: for a face that builds its
   * adapter anew for every run (n8n, each execution), which would otherwise log in every time.
   */
  shareTokens?: boolean;
}

/** Entra ID's token endpoint answers within this, whatever the environment's own Timeout. */
const TOKEN_TIMEOUT_MS = 30_000;

/**
 * An Entra ID client-credentials token for `<org url>/.default` over `options.http` (axios by default), kept until a
 * minute before it expires (Entra answers expires_in, about an hour) and fetched once however many calls wait for
 * it. A refused token request is a CrmAuthError with Entra's reason (AADSTS…) and the fix; Entra being down is
 * transient.
 */
export function dynamicsAxiosTransport(settings: DynamicsSettings, options: DynamicsTransportOptions = {}): HttpTransport {
  const auth = settings.auth;
  if (!auth) throw new CrmConfigError(CRM, 'no credentials: set auth (tenant id, client id, client secret) or the DYNAMICS_* variables');
  const now = options.now ?? Date.now;
  const http = options.http ?? axiosTransport({ timeoutMs: settings.timeoutMs });
  const tokenHttp: HttpTransport = options.tokenHttp ?? { request: (req) => http.request({ ...req, timeoutMs: req.timeoutMs ?? TOKEN_TIMEOUT_MS }) };
  const tokens = new TokenCache(async (): Promise<AccessToken> => {
    try {
      return await requestOAuth2Token(
        tokenHttp,
        dynamicsTokenUrl(settings),
        { grant: 'client_credentials', clientId: auth.clientId, clientSecret: auth.clientSecret, scope: `${settings.url}/.default` },
        now(),
      );
    } catch (e) {
      throw tokenFailure(
        CRM,
        e,
        "check the tenant id, client id and secret (the secret's Value, not its ID, and not expired), and that the app is an application user in the environment with a security role",
      );
    }
  }, now, undefined, options.shareTokens ? sharedTokenSlot(CRM, dynamicsTokenUrl(settings), settings.url, auth.clientId, auth.clientSecret) : undefined);
  return bearerTransport(http, { tokens, baseUrl: settings.url });
}
