import type { ICredentialTestFunction } from 'n8n-workflow';
import { checkCrmAccount } from '../../core/crm/saas/check-crm-account';
import type { SaasCrmName } from '../../core/crm/crm-names';

/**
 * The test of a CRM credential no declarative request can check (Salesforce: the JWT is signed and the token
 * cached by the core, see credentials/TerminalSalesforceApi.credentials.ts). A CRM node offers it through
 * `testedBy` and `methods.credentialTest`: it fetches a token and reads one changed customer, as the node will.
 */
export function crmAccountTest(crm: SaasCrmName): ICredentialTestFunction {
  return async function testCrmAccount(credential) {
    return checkCrmAccount(crm, credential.data ?? {});
  };
}
