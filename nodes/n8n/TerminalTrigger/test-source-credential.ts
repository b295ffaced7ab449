import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { axiosTransport } from '../../core/http/axios-transport';
import { createSource } from '../../core/sources/registry';
import { SQUARE_PRODUCTION_URL } from '../../core/sources/square-credentials';
import { ZETTLE_PURCHASE_BASE_URL } from '../../core/sources/zettle-api';
import { exchangeZettleApiKey } from '../../core/sources/zettle-auth';
import { parseSourceCredentials, type CredentialPlace } from '../../core/sources/source-credentials';
import { InputError } from '../../core/errors';
import { errorMessage } from '../shared/node-error';
import { SOURCE_CREDENTIAL_TYPES, sourceCredentialPlace } from './source-credentials';

/** A source credential as its own Test names its fields: by their labels, the operator being in the credential already. */
function inThisCredential(source: string): CredentialPlace {
  return { name: '', labels: sourceCredentialPlace(source).labels, fix: (label) => `fill in ${label} in this credential` };
}

/**
 * The Test button of a webhook-only credential (Adyen's HMAC key, Clover's auth code…): there is no vendor endpoint
 * to call with a signing key, so the test checks what can be checked — that the source accepts the fields (a hex
 * key is hex, a required secret is there) — and says that the real check is the first signed delivery.
 */
export async function sourceCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  const source = Object.entries(SOURCE_CREDENTIAL_TYPES).find(([, type]) => type === credential.type)?.[0];
  if (!source) return { status: 'Error', message: `"${credential.type}" is not a terminal source credential` };
  try {
    const label = source === 'generic' ? 'the gateway' : createSource(source).label;
    if (source !== 'generic') parseSourceCredentials(createSource(source), credential.data ?? {}, inThisCredential(source));
    else if (!String(credential.data?.secret ?? '').trim()) {
      const secret = inThisCredential(source).labels.secret ?? 'secret';
      return { status: 'Error', message: `${secret}: no signing secret is set. Fix: paste the secret your gateway signs with` };
    }
    return { status: 'OK', message: `The fields are usable; ${label}'s first signed delivery is the real check of the secret` };
  } catch (error) {
    return { status: 'Error', message: errorMessage(error) };
  }
}

interface TokenProbe {
  vendor: string;
  source: string;
  secretField: string;
  /** What reads with the token, and which fields give one, in the credential's labels: Send to Terminal has no Zettle. */
  tokenUse(labels: Record<string, string>): string;
  /** A cheap authenticated read the vendor answers 2xx for a usable token (what the credential's request test called). */
  url(data: Record<string, unknown>): string;
}

const TOKEN_PROBES: Record<string, TokenProbe> = {
  terminalSquareApi: {
    vendor: 'Square',
    source: 'square',
    secretField: 'signatureKey',
    tokenUse: (l) => `polling and Send to Terminal need an ${l.accessToken}`,
    url: (d) => `${(typeof d.baseUrl === 'string' && d.baseUrl.trim() ? d.baseUrl.trim() : SQUARE_PRODUCTION_URL).replace(/\/+$/, '')}/v2/locations`,
  },
  terminalZettleApi: {
    vendor: 'Zettle',
    source: 'zettle',
    secretField: 'signingKey',
    tokenUse: (l) => `polling and refunds paid back in cash need an ${l.apiKey} with ${l.clientId}, or an ${l.accessToken}`,
    url: () => `${ZETTLE_PURCHASE_BASE_URL}/purchases/v2?limit=1`,
  },
};

/** What a vendor's error body says: Square's errors[0].detail, OAuth's error_description, or a message. */
function vendorSays(body: unknown): string | undefined {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  const said = first?.detail ?? b.error_description ?? b.message ?? b.error;
  return typeof said === 'string' && said.trim() ? said.trim() : undefined;
}

/**
 * The Test button of Square's and Zettle's credentials, whose Access Token is optional (the trigger needs only the
 * webhook secret; polling and Send to Terminal need the token). A token is checked against the vendor, as the
 * credential's request test did; without one there is nothing to call, so the fields are checked and the first
 * signed delivery is the real check — instead of a red "Couldn't connect" for a webhook-only credential that works.
 */
export async function webhookOrTokenCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  const probe = TOKEN_PROBES[credential.type];
  if (!probe) return { status: 'Error', message: `"${credential.type}" is not a Square or Zettle credential` };
  const data = (credential.data ?? {}) as Record<string, unknown>;
  const given = (field: string) => typeof data[field] === 'string' && (data[field] as string).trim() !== '';
  const { vendor } = probe;
  const place = inThisCredential(probe.source);
  const labels = place.labels;
  // Zettle: an API key is checked by asking Zettle for a token with it, then reading with that token.
  const apiKey = probe.source === 'zettle' && given('apiKey');
  if (!given('accessToken') && !apiKey) {
    if (!given(probe.secretField)) {
      const empty = [probe.secretField, ...(probe.source === 'zettle' ? ['apiKey'] : []), 'accessToken'].map((f) => labels[f]);
      return { status: 'Error', message: `${empty.slice(0, -1).join(', ')} and ${empty.at(-1)} are ${empty.length > 2 ? 'all' : 'both'} empty. Fix: paste the webhook subscription's ${labels[probe.secretField]} for the trigger; ${probe.tokenUse(labels)}` };
    }
    try {
      parseSourceCredentials(createSource(probe.source), data, place);
    } catch (error) {
      return { status: 'Error', message: errorMessage(error) };
    }
    return { status: 'OK', message: `${labels[probe.secretField]} only: nothing to call ${vendor} with, so its first signed delivery is the real check (${probe.tokenUse(labels)})` };
  }
  try {
    // A credential test gets no n8n HTTP helper but the deprecated `request`: the pack's axios transport it is.
    const http = axiosTransport({ timeoutMs: 15_000 });
    const token = apiKey
      ? (await exchangeZettleApiKey(http, { apiKey: (data.apiKey as string).trim(), clientId: String(data.clientId ?? '').trim() })).token
      : (data.accessToken as string).trim();
    const what = apiKey ? labels.apiKey : labels.accessToken;
    const res = await http.request({ method: 'GET', url: probe.url(data), headers: { authorization: `Bearer ${token}` } });
    if (res.status >= 200 && res.status < 300) return { status: 'OK', message: `${vendor} accepted the ${what}` };
    const said = vendorSays(res.body);
    const fix = apiKey ? 'have the merchant create an API key with READ:PURCHASE at my.zettle.com' : `paste a current access token of the seller, from ${vendor}'s developer dashboard`;
    return { status: 'Error', message: `${vendor} refused the ${what} (HTTP ${res.status}${said ? `: ${said}` : ''}). Fix: ${fix}` };
  } catch (error) {
    if (error instanceof InputError) return { status: 'Error', message: errorMessage(error) };
    return { status: 'Error', message: `${vendor} could not be reached: ${errorMessage(error)}` };
  }
}
