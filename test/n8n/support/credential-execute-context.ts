import { ExecuteContext } from 'n8n-core';
import { createEmptyRunExecutionData, Workflow, type ICredentialsHelper, type INode, type INodeType, type INodeTypes, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { additionalData } from './additional-data';

/**
 * A real n8n execution context of a one-node workflow whose node uses a credential of `type`, read through
 * `credentialsHelper`: n8n-core's own request helpers (httpRequestWithAuthentication, its timeout and OAuth2 handling)
 * with the credential data the test gives.
 */
export function credentialExecuteContext(type: string, credentialsHelper: ICredentialsHelper): ExecuteContext {
  const nodeType: INodeType = {
    description: { displayName: 'CRM', name: 'crm', group: ['transform'], version: 1, description: '', defaults: {}, inputs: [], outputs: [], credentials: [{ name: type, required: true }], properties: [] },
  };
  const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;
  const node: INode = { id: 'crm', name: 'CRM', type: 'crm', typeVersion: 1, position: [0, 0], parameters: {}, credentials: { [type]: { id: '1', name: 'CRM' } } };
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
  const extra = additionalData({}, { credentialsHelper } as Partial<IWorkflowExecuteAdditionalData>);
  return new ExecuteContext(workflow, node, extra, 'manual', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
}
