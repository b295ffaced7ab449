import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import type { TemporalConfig } from '../../../temporal/connection-config';
import { connectTemporalTarget, temporalTargetOf } from '../../../temporal/temporal-target';
import { errorMessage } from './node-error';

export const TEMPORAL_CREDENTIAL = 'terminalTemporalApi';

/**
 * The credential's fields as the core reads them (the private key field is named so n8n treats it as a secret), a
 * wrong one named as the credential labels it.
 */
export function temporalTargetOfCredential(data: object | undefined): TemporalConfig {
  const d = (data ?? {}) as Record<string, unknown>;
  return temporalTargetOf({ ...d, clientKey: d.privateKey }, { address: 'Address', clientCertificate: 'Client Certificate', clientKey: 'Client Private Key', caCertificate: 'CA Certificate' });
}

/** The "Terminal CRM Temporal API" credential test: connects and asks for the namespace. */
export async function terminalTemporalApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  try {
    const target = temporalTargetOfCredential(credential.data);
    const client = await connectTemporalTarget(target);
    try {
      await client.workflowService.describeNamespace({ namespace: target.namespace });
    } finally {
      await client.connection.close();
    }
    return { status: 'OK', message: `Connected to ${target.address}, namespace "${target.namespace}"; payments go to task queue "${target.taskQueue}"` };
  } catch (error) {
    return { status: 'Error', message: errorMessage(error) };
  }
}
