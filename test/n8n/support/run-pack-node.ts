import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, INodeExecutionData, INodeType, IRun, IWorkflowBase } from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';
import { additionalData } from './additional-data';
import { nodeTypesOf, PACKAGE } from './package-node-types';

const REPO = resolve(__dirname, '../../../..');

/**
 * Every node package.json registers, as n8n loads it: the compiled class of each listed file, under the package's
 * type name ("…n8n-nodes-terminal-crm.sendToTerminal").
 */
export function registeredNodeTypes(): Record<string, INodeType> {
  const files = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;
  const types: Record<string, INodeType> = {};
  for (const file of files) {
    const mod = require(resolve(__dirname, '../../..', file.replace(/^dist\//, ''))) as Record<string, new () => INodeType>;
    const node = new (Object.values(mod).find((v) => typeof v === 'function')!)();
    types[`${PACKAGE}.${node.description.name}`] = node;
  }
  return types;
}

/**
 * One of the pack's nodes alone in a workflow, run by n8n-core's WorkflowExecute on `items` (as if a node before it
 * had produced them), with every credential type it declares assigned and `credentials` as their data.
 */
export async function runPackNode(
  types: Record<string, INodeType>,
  name: string,
  parameters: INode['parameters'],
  items: INodeExecutionData[],
  credentials: Record<string, ICredentialDataDecryptedObject>,
): Promise<IRun> {
  const type = `${PACKAGE}.${name}`;
  const description = types[type]!.description;
  const version = Array.isArray(description.version) ? Math.max(...description.version) : description.version;
  const node: INode = {
    id: 'n', name: description.displayName, type, typeVersion: version, position: [0, 0], parameters,
    credentials: Object.fromEntries((description.credentials ?? []).map((c, i) => [c.name, { id: String(i + 1), name: c.name }])),
  };
  const json = { name: 'parameters', nodes: [node], connections: {}, settings: { executionOrder: 'v1' as const } };
  const workflow = new Workflow({ id: 'test', ...json, nodeTypes: nodeTypesOf(types), active: false });
  const hooks = new ExecutionLifecycleHooks('manual', '1', { id: 'test', ...json } as unknown as IWorkflowBase);
  let resolveRun!: (run: IRun) => void;
  const finished = new Promise<IRun>((r) => (resolveRun = r));
  hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
  const runData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: workflow.getNode(node.name)!, data: { main: [items] }, source: null }] } });
  await new WorkflowExecute(additionalData(credentials, { hooks }), 'manual', runData).processRunExecutionData(workflow);
  return await finished;
}
