import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
  ICredentialDataDecryptedObject,
  IConnections,
  INode,
  INodeExecutionData,
  IRun,
  IRunExecutionData,
  IWorkflowBase,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import { TEST_TOKEN_KEYS } from '../../support/temp-store';
import { additionalData } from './additional-data';
import { PACKAGE, packageNodeTypes } from './package-node-types';

export interface WorkflowJson {
  name?: string;
  nodes: INode[];
  connections: IConnections;
  settings?: IWorkflowBase['settings'];
}

/** The Terminal CRM Store credential of a test store, as the workflows above name it. */
export function storeCredentials(storeUrl: string, tokenKeys = TEST_TOKEN_KEYS): Record<string, ICredentialDataDecryptedObject> {
  return { terminalCrmStore: { storeUrl, tokenKeys, defaultRegion: 'US' } };
}

/** A workflow of one of the pack's nodes on the store credential (`type` as in the package: "terminalRedrive"). */
export function storeNodeWorkflow(name: string, type: string, parameters: INode['parameters'] = {}): WorkflowJson {
  return {
    name,
    nodes: [{ id: 'n', name, type: `${PACKAGE}.${type}`, typeVersion: 1, position: [0, 0], parameters, credentials: { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' } } }],
    connections: {},
    settings: { executionOrder: 'v1' },
  };
}

/**
 * Runs a workflow in-process with n8n-core's WorkflowExecute, the way n8n's node test harness does: `items`
 * are fed to `startNode` as if the node before it (usually the trigger) had produced them.
 */
export async function runWorkflow(
  json: WorkflowJson,
  startNode: string,
  items: INodeExecutionData[],
  credentials: Record<string, ICredentialDataDecryptedObject>,
): Promise<IRun> {
  const workflow = new Workflow({
    id: 'test',
    name: json.name,
    nodes: json.nodes,
    connections: json.connections,
    nodeTypes: packageNodeTypes(),
    settings: json.settings,
    active: false,
  });
  const start = workflow.getNode(startNode);
  if (!start) throw new Error(`no node named ${startNode}`);
  const hooks = new ExecutionLifecycleHooks('trigger', '1', { id: 'test', ...json } as unknown as IWorkflowBase);
  let resolveRun!: (run: IRun) => void;
  const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
  hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
  const runData: IRunExecutionData = createRunExecutionData({
    executionData: { nodeExecutionStack: [{ node: start, data: { main: [items] }, source: null }] },
  });
  const execution = new WorkflowExecute(additionalData(credentials, { hooks }), 'trigger', runData);
  await execution.processRunExecutionData(workflow);
  return await finished;
}

/** The items a node put on its first output in its last run. */
export function outputOf(run: IRun, nodeName: string): INodeExecutionData[] {
  const runs = run.data.resultData.runData[nodeName];
  if (!runs?.length) throw new Error(`node "${nodeName}" did not run; error: ${run.data.resultData.error?.message ?? 'none'}`);
  return runs[runs.length - 1]!.data?.main?.[0] ?? [];
}
