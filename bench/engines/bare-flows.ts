import { randomUUID } from 'node:crypto';
import type { FlowNode } from '../../sandbox/run/node-red/admin-api';
import type { RestSession } from '../../sandbox/run/n8n/rest-session';

/** n8n's floor: one Webhook node answering as soon as the request arrived ("Respond: Immediately"). */
export async function publishBareN8nWebhook(rest: RestSession, baseUrl: string): Promise<string> {
  const path = `bench-bare-${randomUUID().slice(0, 8)}`;
  const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
    name: 'Bench: bare webhook',
    nodes: [{
      id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(),
      parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
    }],
    connections: {},
    settings: {},
    active: false,
  });
  await rest.request('POST', `/workflows/${saved.id}/activate`, { versionId: saved.versionId });
  return `${baseUrl}/webhook/${path}`;
}

/** Node-RED's floor: http in → http response, on its own tab beside the deployed flows. */
export function bareNodeRedFlow(path: string): FlowNode[] {
  return [
    { id: 'bench0000000tab', type: 'tab', label: 'Bench: bare webhook', disabled: false, info: '' },
    { id: 'bench00000000in', type: 'http in', z: 'bench0000000tab', name: '', url: path, method: 'post', upload: false, swaggerDoc: '', x: 120, y: 40, wires: [['bench0000000out']] },
    { id: 'bench0000000out', type: 'http response', z: 'bench0000000tab', name: '', statusCode: '200', headers: {}, x: 320, y: 40, wires: [] },
  ];
}
