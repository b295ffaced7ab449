import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
  createEmptyRunExecutionData,
  isExpression,
  NodeHelpers,
  Workflow,
  type ICredentialDataDecryptedObject,
  type ICredentialTestRequest,
  type ICredentialType,
  type IHttpRequestOptions,
  type INode,
  type INodeCredentialTestResult,
  type INodeType,
  type INodeTypes,
  type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { additionalData } from './additional-data';
import { StaticCredentialsHelper } from './static-credentials-helper';

/**
 * n8n's credential test for a credential with a declarative `test` request, as n8n's CredentialsTester runs it
 * (packages/cli/src/services/credentials-tester.service.ts, runRequestTest): a throwaway node whose one property
 * routes the test request, run by n8n-core's RoutingNode with the credential's `authenticate` applied as n8n's
 * CredentialsHelper applies it. The request really goes out (to nock in the tests).
 */
export async function runCredentialTest(type: ICredentialType & { test: ICredentialTestRequest }, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
  const credentials = await credentialWithDefaults(type, data);
  const nodeType: INodeType = {
    description: {
      displayName: 'Temp', name: 'mock', group: ['transform'], version: 1, description: '', defaults: {}, inputs: [], outputs: [],
      credentials: [{ name: type.name, required: true }],
      properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: type.test.request }, default: '' }],
    },
  };
  const nodeTypes: INodeTypes = {
    getByName: () => nodeType,
    getByNameAndVersion: () => nodeType,
    getKnownTypes: () => ({}),
  } as unknown as INodeTypes;
  const node: INode = { id: 'temp', name: 'Temp-Node', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {}, credentials: { [type.name]: { id: '1', name: 'test' } } };
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
  const extra = additionalData({}, { credentialsHelper: new DeclarativeCredentialsHelper([type]) } as Partial<IWorkflowExecuteAdditionalData>);
  const ctx = new ExecuteContext(workflow, node, extra, 'internal', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
  const routing = new RoutingNode(ctx, nodeType, { id: '1', name: 'test', type: type.name, data: credentials });
  await workflow.expression.acquireIsolate();
  try {
    await routing.runNode();
  } catch (e) {
    // What CredentialsTester answers for a failed request.
    const error = e as { cause?: { response?: { status: number; statusText?: string }; code?: string }; message: string };
    const response = error.cause?.response;
    if (response) {
      const rule = type.test.rules?.find((r) => r.type === 'responseCode' && r.properties.value === response.status);
      if (rule && rule.type === 'responseCode') return { status: 'Error', message: rule.properties.message };
      return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
    }
    return { status: 'Error', message: error.cause?.code ?? error.message };
  } finally {
    await workflow.expression.releaseIsolate();
  }
  return { status: 'OK', message: 'Connection successful!' };
}

/**
 * A credential's data as n8n hands it to a request: defaults filled in and its own expressions (`$self`)
 * resolved, as CredentialsHelper.applyDefaultsAndOverwrites does.
 */
export async function credentialWithDefaults(type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<ICredentialDataDecryptedObject> {
  // Fields of a parent type (oAuth2Api's client id and secret, the token data n8n keeps) stay as they are.
  const withDefaults = { ...data, ...(NodeHelpers.getNodeParameters(type.properties, data as never, true, false, null, null) as ICredentialDataDecryptedObject) };
  const mockNode: INode = { id: 'm', name: '', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
  const nodeTypes = { getByName: () => ({ description: { properties: [] } }), getByNameAndVersion: () => ({ description: { properties: [] } }), getKnownTypes: () => ({}) } as unknown as INodeTypes;
  const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes });
  await workflow.expression.acquireIsolate();
  try {
    return workflow.expression.getComplexParameterValue(mockNode, withDefaults as never, 'internal', {}, undefined, undefined, withDefaults) as ICredentialDataDecryptedObject;
  } finally {
    await workflow.expression.releaseIsolate();
  }
}

/** n8n's CredentialsHelper.authenticate for declarative (`generic`) credentials, over the given credential classes. */
class DeclarativeCredentialsHelper extends StaticCredentialsHelper {
  constructor(private readonly types: readonly ICredentialType[]) {
    super({});
  }

  override async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, options: IHttpRequestOptions, workflow?: Workflow, node?: INode): Promise<IHttpRequestOptions> {
    const auth = this.types.find((t) => t.name === typeName)?.authenticate;
    if (!auth || typeof auth === 'function' || auth.type !== 'generic' || !workflow || !node) return options;
    const resolve = (v: unknown): unknown => {
      if (!isExpression(v)) return v;
      const out = workflow.expression.getSimpleParameterValue(node, v as string, 'internal', { $credentials: credentials } as never, undefined, '');
      return out ? String(out) : '';
    };
    const target = options as unknown as Record<string, Record<string, unknown>>;
    for (const [outer, values] of Object.entries(auth.properties)) {
      target[outer] ??= {};
      for (const [k, v] of Object.entries(values as Record<string, unknown>)) target[outer][resolve(k) as string] = resolve(v);
    }
    return options;
  }
}
