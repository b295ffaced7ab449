import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { parseRegion } from '../../core/config/settings';
import { resolveStoreUrl } from '../../core/store/open-database';
import { keyProviderFromSpec, openCrm } from '../../core/steps/steps';
import { readCrmStoreCredential } from './crm-store-credential';
import { errorMessage } from './node-error';

/**
 * The "Terminal CRM Store" credential test (n8n offers HTTP tests only on the credential itself, so the nodes
 * provide it through `testedBy`): parses the token keys and the region, then opens the store — creating the
 * file on first use, as the first payment would.
 */
export async function terminalCrmStoreTest(
  this: ICredentialTestFunctions,
  credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
  try {
    const settings = readCrmStoreCredential(credential.data);
    const keys = keyProviderFromSpec(settings.tokenKeys, 'Token Keys');
    const region = parseRegion(settings.defaultRegion, 'Default Region');
    await openCrm({ storeUrl: settings.storeUrl });
    const { path } = resolveStoreUrl(settings.storeUrl);
    return {
      status: 'OK',
      message: `Store ready at ${path}; ${keys.all().length} token key(s), current "${keys.current().id}"; region ${region}`,
    };
  } catch (error) {
    return { status: 'Error', message: errorMessage(error) };
  }
}
