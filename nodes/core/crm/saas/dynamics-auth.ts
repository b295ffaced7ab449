import { axiosTransport } from '../../http/axios-transport';
import { OAuth2TokenError, requestOAuth2Token } from '../../http/auth/oauth2-token';
import { TokenCache, type AccessToken } from '../../http/auth/token-cache';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../http/http-transport';
import { CrmAuthError, CrmConfigError, CrmTransientError } from './crm-errors';
import type { DynamicsSettings } from './dynamics-settings';

const CRM = 'dynamics';

/** Entra ID's v2.0 token endpoint of the tenant the app registration lives in. */
export function dynamicsTokenUrl(settings: DynamicsSettings): string {
  const auth = settings.auth!;
  return `${auth.authorityUrl}/${encodeURIComponent(auth.tenantId)}/oauth2/v2.0/token`;
}

export interface DynamicsTransportOptions {
  tokenHttp?: HttpTransport;
  now?: () => number;
}

/**
 * Axios with an Entra ID client-credentials token for `<org url>/.default`, kept until a minute before it
 * expires (Entra answers expires_in, about an hour) and fetched once however many calls wait for it. A refused
 * token request is a CrmAuthError with Entra's reason (AADSTS…) and the fix; Entra being down is transient.
 */
export function dynamicsAxiosTransport(settings: DynamicsSettings, options: DynamicsTransportOptions = {}): HttpTransport {
  const auth = settings.auth;
  if (!auth) throw new CrmConfigError(CRM, 'no credentials: set auth (tenant id, client id, client secret) or the DYNAMICS_* variables');
  const now = options.now ?? Date.now;
  let lastStatus: number | undefined;
  const inner = options.tokenHttp ?? axiosTransport({ timeoutMs: 30_000 });
  const tokenHttp: HttpTransport = {
    async request(req: HttpRequest): Promise<HttpResponse> {
      lastStatus = undefined;
      const res = await inner.request(req);
      lastStatus = res.status;
      return res;
    },
  };
  const tokens = new TokenCache(async (): Promise<AccessToken> => {
    try {
      return await requestOAuth2Token(
        tokenHttp,
        dynamicsTokenUrl(settings),
        { grant: 'client_credentials', clientId: auth.clientId, clientSecret: auth.clientSecret, scope: `${settings.url}/.default` },
        now(),
      );
    } catch (e) {
      if (!(e instanceof OAuth2TokenError)) throw e;
      if (lastStatus !== undefined && (lastStatus >= 500 || lastStatus === 429)) throw new CrmTransientError(CRM, e.message);
      throw new CrmAuthError(
        CRM,
        `${e.message} — check the tenant id, client id and secret (the secret's Value, not its ID, and not expired), and that the app is an application user in the environment with a security role`,
      );
    }
  }, now);
  return axiosTransport({ baseUrl: settings.url, auth: { tokens }, timeoutMs: settings.timeoutMs });
}
