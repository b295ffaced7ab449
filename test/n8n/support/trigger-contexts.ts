import { HookContext, WebhookContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, IWebhookData, IWebhookResponseData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { additionalData } from './additional-data';
import { packageNodeTypes, PACKAGE } from './package-node-types';
import { assignCredentials } from './assign-credentials';
import { TEST_TOKEN_KEYS } from '../../support/temp-store';

/** A recorded Express-style response: what the trigger answered. */
export interface RecordedResponse {
  statusCode?: number;
  body?: unknown;
  contentType?: string;
}

export const TRIGGER_WEBHOOK_ID = 'b0c5d0a4-31f4-4a8e-9a35-4b9a1e0f2c11';

/**
 * One Terminal Payment Trigger in a workflow, driven through n8n-core's own WebhookContext (a delivery) and
 * HookContext (publish/unpublish), as n8n's webhook server and ActiveWorkflowManager drive it.
 */
export function triggerHarness(
  parameters: Record<string, unknown>,
  credential: ICredentialDataDecryptedObject,
  // The inbox's store; an in-memory SQLite store is a new, empty one for every delivery.
  store: ICredentialDataDecryptedObject = { storeUrl: 'sqlite::memory:', tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' },
  workflowId = 'wf1',
) {
  const node: INode = {
    id: 'trigger',
    name: 'Terminal Payment Trigger',
    type: `${PACKAGE}.terminalTrigger`,
    typeVersion: 1,
    position: [0, 0],
    webhookId: TRIGGER_WEBHOOK_ID,
    parameters: parameters as INode['parameters'],
  };
  const wf = assignCredentials({ nodes: [node] }, { stripeTerminalApi: { id: '1', name: 'Stripe' }, terminalCrmStore: { id: '2', name: 'Store' } });
  const workflow = new Workflow({ id: workflowId, name: 'Payments', nodes: wf.nodes, connections: {}, nodeTypes: packageNodeTypes(), active: true, staticData: {} });
  const triggerNode = workflow.getNode(node.name)!;
  const nodeType = packageNodeTypes().getByNameAndVersion(triggerNode.type, 1);
  const description = nodeType.description.webhooks![0]!;
  const webhookData = (data: ReturnType<typeof additionalData>): IWebhookData => ({
    httpMethod: 'POST',
    node: triggerNode.name,
    path: `${TRIGGER_WEBHOOK_ID}/${description.path}`,
    webhookDescription: description,
    workflowId: workflow.id,
    workflowExecuteAdditionalData: data,
    webhookId: TRIGGER_WEBHOOK_ID,
  });

  return {
    workflow,
    staticData: () => workflow.getStaticData('node', triggerNode),

    async deliver(body: string | Buffer, headers: Record<string, string>): Promise<{ response: RecordedResponse; result: IWebhookResponseData }> {
      const response: RecordedResponse = {};
      const res = {
        status(code: number) {
          response.statusCode = code;
          return res;
        },
        json(value: unknown) {
          response.body = value;
          return res;
        },
        type(contentType: string) {
          response.contentType = contentType;
          return res;
        },
        send(text: string) {
          response.body = response.contentType?.includes('json') ? JSON.parse(text) : text;
          return res;
        },
      };
      const req = { method: 'POST', rawBody: Buffer.from(body), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
      const data = additionalData({ stripeTerminalApi: credential, terminalCrmStore: store }, { httpRequest: req as never, httpResponse: res as never });
      const ctx = new WebhookContext(workflow, triggerNode, data, 'webhook', webhookData(data), [], null);
      const result = await nodeType.webhook!.call(ctx);
      return { response, result };
    },

    /** Calls one of webhookMethods.default's lifecycle functions as n8n does on publish/unpublish. */
    async lifecycle(method: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
      const data = additionalData({ stripeTerminalApi: credential });
      const ctx = new HookContext(workflow, triggerNode, data, 'trigger', 'activate', webhookData(data));
      const fn = nodeType.webhookMethods!.default![method]!;
      return await fn.call(ctx);
    },

    webhookUrl: () => `http://127.0.0.1:5678/webhook/${TRIGGER_WEBHOOK_ID}/${description.path}`,
  };
}
