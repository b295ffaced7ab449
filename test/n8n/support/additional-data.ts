import type { ICredentialDataDecryptedObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import type { ExecutionLifecycleHooks } from 'n8n-core';
import { StaticCredentialsHelper } from './static-credentials-helper';

// n8n-core logs every node error it reports (and the nodes log setup problems); the tests assert on those errors, so keep the output readable.
// Set N8N_LOG_LEVEL=debug to see n8n-core's own log.
process.env.N8N_LOG_LEVEL ??= 'silent';

export const TEST_WEBHOOK_BASE_URL = 'http://127.0.0.1:5678/webhook';

/**
 * The part of IWorkflowExecuteAdditionalData that running our nodes reaches. n8n's own node tests use a deep
 * mock instead; here everything else is simply absent, as on an instance without those features.
 */
export function additionalData(
  credentials: Record<string, ICredentialDataDecryptedObject>,
  extra: Partial<IWorkflowExecuteAdditionalData> & { hooks?: ExecutionLifecycleHooks } = {},
): IWorkflowExecuteAdditionalData {
  const known: Partial<IWorkflowExecuteAdditionalData> = {
    credentialsHelper: new StaticCredentialsHelper(credentials),
    currentNodeExecutionIndex: 0,
    restApiUrl: 'http://127.0.0.1:5678/rest',
    instanceBaseUrl: 'http://127.0.0.1:5678/',
    formBaseUrl: 'http://127.0.0.1:5678/form',
    formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
    formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
    webhookBaseUrl: TEST_WEBHOOK_BASE_URL,
    webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
    webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
    mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
    mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
    variables: {},
    currentNodeParameters: undefined,
    logAiEvent: () => {},
    setExecutionStatus: () => {},
    sendDataToUI: () => {},
    ...extra,
  };
  return known as IWorkflowExecuteAdditionalData;
}
