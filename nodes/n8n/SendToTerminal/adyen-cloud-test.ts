import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { urlRefused, webUrlFault } from '../../core/http/web-url';

/**
 * The *Adyen Terminal Cloud API* credential's test. Adyen's Terminal API has no call that proves a key without
 * a terminal to talk to, so this checks what can be checked here (a key, a usable URL, a sale ID) and says the
 * key itself is proven by the first sale sent, rather than showing a red "Couldn't connect" for a good key.
 */
export async function terminalAdyenCloudTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  const data = credential.data ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  if (!text(data.apiKey)) return { status: 'Error', message: 'API Key is empty: copy the API key of the web service user from the Customer Area (Developers → API credentials)' };
  if (!text(data.saleId)) return { status: 'Error', message: 'Sale ID is empty: name this n8n instance as a cash register, such as "n8n-front-desk"' };
  const url = text(data.baseUrl);
  // The rule the sale's run reads the URL by (terminal-push/push-settings.ts), so a URL this passes is one it takes.
  const fault = url ? webUrlFault(url, 'base', false) : undefined;
  if (fault) return { status: 'Error', message: `Terminal API URL ${urlRefused(url, fault)}; use https://terminal-api-test.adyen.com or your live region's address` };
  return { status: 'OK', message: 'Saved. Adyen cannot check a Terminal API key without a terminal: the first sale sent to a reader proves it' };
}
