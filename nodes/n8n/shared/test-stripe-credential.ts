import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { axiosTransport } from '../../core/http/axios-transport';
import { stripeCredentialOf } from './stripe-credential';
import { errorMessage } from './node-error';

const STRIPE_BALANCE_URL = 'https://api.stripe.com/v1/balance';

/**
 * The Stripe Terminal credential's Test button. A secret key is checked against Stripe (GET /v1/balance, the
 * cheapest call every key may make). A signing secret cannot be checked by anyone but Stripe, which signs with it:
 * a credential holding only that passes, saying so, instead of showing a red "Couldn't connect" for a credential
 * that works (the request test on the credential itself could only do the latter).
 */
export async function stripeCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  const { secretKey, signingSecrets: signing } = stripeCredentialOf(credential.data);
  if (!secretKey) {
    if (signing.length === 0) {
      return { status: 'Error', message: 'Secret API Key and Webhook Signing Secret are both empty. Fix: paste the endpoint\'s signing secret (whsec_…), or a secret key' };
    }
    const wrong = signing.find((s) => !s.startsWith('whsec_'));
    if (wrong) return { status: 'Error', message: `Webhook Signing Secret: "${wrong.slice(0, 8)}…" is not a signing secret. Fix: copy the one starting with whsec_ from the endpoint in Stripe` };
    return { status: 'OK', message: 'Signing secret only: nothing to call Stripe with, so the first signed delivery is the real check (add a secret key to let the trigger register its webhook itself)' };
  }
  try {
    // A credential test gets no n8n HTTP helper but the deprecated `request`: the pack's axios transport it is.
    const res = await axiosTransport({ timeoutMs: 15_000 }).request({ method: 'GET', url: STRIPE_BALANCE_URL, headers: { authorization: `Bearer ${secretKey}` } });
    if (res.status >= 200 && res.status < 300) return { status: 'OK', message: 'Stripe accepted the secret key' };
    const said = (res.body as { error?: { message?: string } } | undefined)?.error?.message;
    return { status: 'Error', message: `Stripe refused the secret key (HTTP ${res.status}${said ? `: ${said}` : ''}). Fix: paste a secret or restricted key from Stripe Dashboard → Developers → API keys` };
  } catch (error) {
    return { status: 'Error', message: `Stripe could not be reached: ${errorMessage(error)}` };
  }
}
