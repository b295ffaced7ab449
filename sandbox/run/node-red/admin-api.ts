/** The Node-RED Admin API calls the pack needs (no adminAuth: the instance listens on loopback only). */

export type FlowNode = { id: string; type: string; [key: string]: unknown };

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

/** The deployed flows (credentials are never returned, only kept by Node-RED). */
export async function getFlows(baseUrl: string): Promise<FlowNode[]> {
  const res = await expectOk(await fetch(`${baseUrl}/flows`, { headers: { accept: 'application/json' } }), 'GET /flows');
  return (await res.json()) as FlowNode[];
}

/** A full deploy: every node is stopped and recreated, like the editor's "Full" deploy. */
export async function deployFlows(baseUrl: string, flows: readonly FlowNode[]): Promise<void> {
  await expectOk(
    await fetch(`${baseUrl}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    }),
    'POST /flows',
  );
}

export interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

/** The node sets Node-RED loaded from one package (each with `err` if it failed to load). */
export async function nodeSetsOf(baseUrl: string, moduleName: string): Promise<NodeSet[]> {
  const res = await expectOk(await fetch(`${baseUrl}/nodes`, { headers: { accept: 'application/json' } }), 'GET /nodes');
  return ((await res.json()) as NodeSet[]).filter((s) => s.module === moduleName);
}

/** An example flow exactly as the editor's Import → Examples menu would get it. */
export async function exampleFlow(baseUrl: string, moduleName: string, name: string): Promise<FlowNode[]> {
  const res = await expectOk(await fetch(`${baseUrl}/library/examples/flows/${moduleName}/${name}`), `GET example ${moduleName}/${name}`);
  return (await res.json()) as FlowNode[];
}

/** The editor's node definitions and help, as the browser loads them. */
export async function editorHtml(baseUrl: string): Promise<string> {
  const res = await expectOk(await fetch(`${baseUrl}/nodes`, { headers: { accept: 'text/html' } }), 'GET /nodes (html)');
  return res.text();
}
