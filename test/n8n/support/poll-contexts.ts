import { PollContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, INodeExecutionData, INodeType, INodeTypes, WorkflowExecuteMode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { TerminalPollTrigger } from '../../../nodes/n8n/TerminalPollTrigger/TerminalPollTrigger.node';
import { additionalData } from './additional-data';
import { nodeTypesOf, PACKAGE } from './package-node-types';

export const POLL_TRIGGER_TYPE = `${PACKAGE}.terminalPollTrigger`;

/** Node types with the poll trigger (the shared package-node-types lists the webhook nodes). */
function pollNodeTypes(): INodeTypes {
  const types: Record<string, INodeType> = { [POLL_TRIGGER_TYPE]: new TerminalPollTrigger() };
  return nodeTypesOf(types);
}

/**
 * One Terminal Payment Poll Trigger in an active workflow, polled through n8n-core's own PollContext as n8n's
 * poll executor does at each of its Poll Times ("trigger" mode), or as the editor's Fetch Test Event ("manual").
 * `credentials` are by credential type; every type the node declares is assigned.
 */
export function pollHarness(parameters: Record<string, unknown>, credentials: Record<string, ICredentialDataDecryptedObject>) {
  const nodeTypes = pollNodeTypes();
  const nodeType = nodeTypes.getByNameAndVersion(POLL_TRIGGER_TYPE, 1);
  const declared = (nodeType.description.credentials ?? []).map((c) => c.name);
  const node: INode = {
    id: 'poll',
    name: 'Terminal Payment Poll Trigger',
    type: POLL_TRIGGER_TYPE,
    typeVersion: 1,
    position: [0, 0],
    parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters } as INode['parameters'],
    credentials: Object.fromEntries(declared.map((name, i) => [name, { id: String(i + 1), name }])),
  };
  const workflow = new Workflow({ id: 'wf-poll', name: 'Polled payments', nodes: [node], connections: {}, nodeTypes, active: true, staticData: {} });
  return {
    nodeType,
    async poll(mode: WorkflowExecuteMode = 'trigger'): Promise<INodeExecutionData[][] | null> {
      const ctx = new PollContext(workflow, workflow.getNode(node.name)!, additionalData(credentials), mode, 'activate');
      return await nodeType.poll!.call(ctx);
    },
  };
}
