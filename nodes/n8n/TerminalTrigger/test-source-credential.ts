import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { createSource } from '../../core/sources/registry';
import { parseSourceCredentials } from '../../core/sources/source-credentials';
import { errorMessage } from '../shared/node-error';
import { SOURCE_CREDENTIAL_TYPES } from './source-credentials';

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
    if (source !== 'generic') parseSourceCredentials(createSource(source), credential.data ?? {});
    else if (!String(credential.data?.secret ?? '').trim()) return { status: 'Error', message: 'secret: no signing secret is set. Fix: paste the secret your gateway signs with' };
    return { status: 'OK', message: `The fields are usable; ${label}'s first signed delivery is the real check of the secret` };
  } catch (error) {
    return { status: 'Error', message: errorMessage(error) };
  }
}
