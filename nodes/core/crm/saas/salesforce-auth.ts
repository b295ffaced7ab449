import { createSign } from 'node:crypto';
import { axiosTransport } from '../../http/axios-transport';
import { bearerTransport } from '../../http/bearer-transport';
import { OAuth2TokenError, requestOAuth2Token, type OAuth2Grant } from '../../http/oauth2-token';
import { sharedTokenSlot, TokenCache, type AccessToken } from '../../http/token-cache';
import type { HttpTransport } from '../../http/http-transport';
import { CrmConfigError, tokenFailure } from './crm-errors';
import type { SalesforceAuth, SalesforceSettings } from './salesforce-settings';

const CRM = 'salesforce';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * The JWT the OAuth 2.0 JWT bearer flow posts: iss = consumer key, sub = username, aud = Salesforce's authorization
 * server (salesforceJwtAudience), exp two and a half minutes ahead (Salesforce refuses more than three, and a clock
 * here a little fast must not make it more), signed RS256
 * with the connected app's key.
 */
export function salesforceJwtAssertion(auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>, audience: string, now = Date.now()): string {
  const header = base64url(JSON.stringify({ alg: 'RS256' }));
  const claims = base64url(JSON.stringify({ iss: auth.clientId, sub: auth.username, aud: audience, exp: Math.floor(now / 1000) + 150 }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  return `${header}.${claims}.${signer.sign(auth.privateKey).toString('base64url')}`;
}

/** Sandbox hosts: test.salesforce.com, enhanced-domain sandboxes (…sandbox.my.salesforce.com), and "org--sandbox" My Domains. */
const SANDBOX_HOST = /^test\.salesforce\.com$|\.sandbox\.my\.salesforce\.com$|--[a-z0-9]+\.(?:sandbox\.)?my\.salesforce\.com$/i;

/**
 * The JWT's audience is Salesforce's authorization server, whichever URL the token is requested from: a My Domain
 * login URL (required once "Prevent login from login.salesforce.com" is on) still takes aud https://login.salesforce.com,
 * and a sandbox's https://test.salesforce.com. Salesforce answers any other aud "audience is invalid".
 */
export function salesforceJwtAudience(loginUrl: string): string {
  return SANDBOX_HOST.test(new URL(loginUrl).hostname) ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

/**
 * The audiences a JWT may have to name, likeliest first: Salesforce's authorization server for the login URL, then
 * the login URL itself when it is a My Domain (External Client Apps take their org's My Domain, and Salesforce ended
 * the legacy host redirections), then the other server. Salesforce's own CLI tries such combinations in turn too,
 * since the host alone no longer tells.
 */
export function salesforceJwtAudiences(loginUrl: string): string[] {
  const first = salesforceJwtAudience(loginUrl);
  const origin = new URL(loginUrl).origin;
  const generic = ['https://login.salesforce.com', 'https://test.salesforce.com'];
  return [...new Set([first, ...(generic.includes(origin) ? [] : [origin]), ...generic])];
}

export function salesforceTokenUrl(settings: Pick<SalesforceSettings, 'loginUrl'>): string {
  return `${settings.loginUrl}/services/oauth2/token`;
}

export interface SalesforceTransportOptions {
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

/**
 * Salesforce's OAuth over `options.http` (axios by default): one token for every call until a 401 says it is gone
 * (Salesforce tokens carry no expires_in; the session lives while it is used), and calls go to the instance_url
 * the token names unless `baseUrl` pins one. A refused token request is a CrmAuthError naming the fix; a token
 * endpoint that is down is transient, not a credential problem.
 */
export function salesforceAxiosTransport(settings: SalesforceSettings, options: SalesforceTransportOptions = {}): HttpTransport {
  const auth = settings.auth;
  if (!auth) {
    throw new CrmConfigError(CRM, 'no credentials: set auth (jwt_bearer with a private key, or client_credentials) or SALESFORCE_* variables');
  }
  const now = options.now ?? Date.now;
  const http = options.http ?? axiosTransport({ timeoutMs: settings.timeoutMs });
  const tokenHttp = options.tokenHttp ?? http;
  const audiences = auth.flow === 'jwt_bearer' ? salesforceJwtAudiences(settings.loginUrl) : [];
  // The audience the org took last, tried first from then on.
  let audience = audiences[0] ?? '';
  const grant = (aud: string): OAuth2Grant =>
    auth.flow === 'jwt_bearer'
      ? { grant: 'jwt_bearer', assertion: () => salesforceJwtAssertion(auth, aud, now()) }
      : { grant: 'client_credentials', clientId: auth.clientId, clientSecret: auth.clientSecret };
  const tokens = new TokenCache(async (): Promise<AccessToken> => {
    const order = [audience, ...audiences.filter((a) => a !== audience)];
    for (let i = 0; ; i++) {
      try {
        const token = await requestOAuth2Token(tokenHttp, salesforceTokenUrl(settings), grant(order[i] ?? ''), now());
        if (order[i]) audience = order[i]!;
        return token;
      } catch (e) {
        const wrongAudience = e instanceof OAuth2TokenError && /audience is invalid/i.test(e.message);
        if (wrongAudience && i + 1 < order.length) continue;
        throw tokenFailure(CRM, wrongAudience ? new OAuth2TokenError(`${e.message} (audiences tried: ${order.join(', ')})`, e.status) : e, authFix(auth));
      }
    }
  }, now, undefined, options.shareTokens ? sharedTokenSlot(CRM, salesforceTokenUrl(settings), settings.baseUrl ?? '', ...secretsOf(auth)) : undefined);
  return bearerTransport(http, { tokens, baseUrl: settings.baseUrl, baseUrlFromToken: !settings.baseUrl });
}

/** What names the login: its flow, app, user and secret. */
function secretsOf(auth: SalesforceAuth): string[] {
  return auth.flow === 'jwt_bearer' ? [auth.flow, auth.clientId, auth.username, auth.privateKey] : [auth.flow, auth.clientId, auth.clientSecret];
}

function authFix(auth: SalesforceAuth): string {
  return auth.flow === 'jwt_bearer'
    ? 'check the consumer key, that the user is pre-authorized for the connected app (or has approved it), and that the certificate uploaded to the app matches the private key'
    : 'check the consumer key and secret, and that the connected app has "Enable Client Credentials Flow" with a Run As user';
}

