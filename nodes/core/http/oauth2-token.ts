import type { HttpTransport } from './http-transport';
import type { AccessToken } from './token-cache';

/**
 * The OAuth 2.0 token requests the CRMs use outside n8n (n8n's own OAuth2 credentials do this inside n8n):
 * client credentials (Entra ID for Dynamics 365, Salesforce), refresh token (Zoho, HubSpot public apps), and
 * JWT bearer (Salesforce, the caller signing the assertion; Zettle's API keys, which are assertions). Form-encoded as RFC 6749 wants.
 */
export type OAuth2Grant =
  | { grant: 'client_credentials'; clientId: string; clientSecret: string; scope?: string }
  | { grant: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string }
  | { grant: 'jwt_bearer'; assertion: () => string; clientId?: string };

/** The form an OAuth 2.0 token request sends for a grant (RFC 6749: form-encoded in the body). */
export function oauth2TokenForm(g: OAuth2Grant): URLSearchParams {
  const form = new URLSearchParams();
  if (g.grant === 'client_credentials') {
    form.set('grant_type', 'client_credentials');
    form.set('client_id', g.clientId);
    form.set('client_secret', g.clientSecret);
    if (g.scope) form.set('scope', g.scope);
  } else if (g.grant === 'refresh_token') {
    form.set('grant_type', 'refresh_token');
    form.set('client_id', g.clientId);
    form.set('client_secret', g.clientSecret);
    form.set('refresh_token', g.refreshToken);
  } else {
    form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    // Zettle's assertion grant names the app it issues for; Salesforce reads it from the assertion.
    if (g.clientId) form.set('client_id', g.clientId);
    form.set('assertion', g.assertion());
  }
  return form;
}

export async function requestOAuth2Token(http: HttpTransport, tokenUrl: string, g: OAuth2Grant, now = Date.now()): Promise<AccessToken> {
  const form = oauth2TokenForm(g);
  const res = await http.request({
    method: 'POST',
    url: tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = (res.body ?? {}) as Record<string, unknown>;
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    const why = typeof body.error_description === 'string' ? body.error_description : typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new OAuth2TokenError(`the token request to ${tokenUrl} was refused: ${why}`, res.status);
  }
  const expiresIn = Number(body.expires_in);
  return {
    token: body.access_token,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : undefined,
    instanceUrl: typeof body.instance_url === 'string' ? body.instance_url : typeof body.api_domain === 'string' ? body.api_domain : undefined,
  };
}

export class OAuth2TokenError extends Error {
  constructor(
    message: string,
    /** The token endpoint's HTTP status. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OAuth2TokenError';
  }

  /**
   * The token endpoint was down or busy: a 5xx, a 429, or a throttle it words as such (Zoho answers its ten
   * tokens per ten minutes with 200 "Access Denied … too many requests"). The credential may be fine, and a later
   * try may get a token.
   */
  get transient(): boolean {
    return (this.status !== undefined && (this.status >= 500 || this.status === 429)) || /too many requests/i.test(this.message);
  }
}
