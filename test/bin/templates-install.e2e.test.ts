import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../bin/commands';
import { shippedTemplates } from '../../bin/templates/template-catalog';
import { ensureEngine } from '../../sandbox/install';
import { ownerSession, type RestSession } from '../../sandbox/run/n8n/rest-session';
import { startN8n, type RunningN8n } from '../../sandbox/run/n8n/start-n8n';
import { getFlows, type FlowNode } from '../../sandbox/run/node-red/admin-api';
import { writeNodeRedSettings } from '../../sandbox/run/node-red/settings';
import { startNodeRed, type RunningNodeRed } from '../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../sandbox/run/shared/free-port';
import { E2E_OWNER } from '../n8n/e2e/harness/e2e-owner';
import { tempDir } from '../support/temp-store';

const command = COMMANDS.find((c) => c.name === 'templates')!;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; error?: Error }> {
  let out = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const code = await command.run(args, { out: (t) => (out += t), err: () => undefined });
    return { code, out };
  } catch (error) {
    return { code: 1, out, error: error as Error };
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

describe('terminal-crm templates: list, and install into a running n8n and Node-RED', { timeout: 240_000 }, () => {
  const work = tempDir('tcrm-templates-');
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let apiKey = '';
  let nodeRed: RunningNodeRed | undefined;

  before(async () => {
    const [n8nEngine, redEngine] = await Promise.all([ensureEngine('n8n'), ensureEngine('node-red')]);
    const userDir = join(work.path, 'red');
    mkdirSync(userDir, { recursive: true });
    const port = await freePort();
    writeNodeRedSettings(userDir, { port, credentialSecret: 'templates-e2e' });
    [n8n, nodeRed] = await Promise.all([
      startN8n(join(work.path, 'n8n'), { engine: n8nEngine, owner: E2E_OWNER, extraEnv: { N8N_PUBLIC_API_DISABLED: 'false' } }),
      startNodeRed({ node: redEngine.node, redJs: redEngine.binPath, userDir, port }),
    ]);
    rest = await ownerSession(n8n.baseUrl, E2E_OWNER);
    const key = await rest.request<{ rawApiKey: string }>('POST', '/api-keys', { label: 'templates e2e', scopes: ['workflow:create', 'workflow:read', 'workflow:list'], expiresAt: null });
    apiKey = key.rawApiKey;
  });

  after(async () => {
    await Promise.all([n8n?.stop(), nodeRed?.stop()]);
    work.remove();
  });

  it('lists every shipped template with its engine and title', async () => {
    const { code, out } = await cli(['list', '--json']);
    assert.equal(code, 0);
    const listed = JSON.parse(out) as { engine: string; name: string; title: string }[];
    const shipped = shippedTemplates();
    assert.deepEqual(listed.map((t) => `${t.engine}/${t.name}`), shipped.map((t) => `${t.engine}/${t.name}`));
    assert.ok(listed.some((t) => t.engine === 'n8n' && t.name === 'payment-to-crm' && t.title === 'Terminal payments to CRM'));
    assert.ok(listed.some((t) => t.engine === 'node-red' && t.name === 'payment-to-crm'));
  });

  it('installs every n8n template as an inactive workflow with the same nodes and connections', async () => {
    const { code, out, error } = await cli(['install', 'all', '--n8n', n8n!.baseUrl, '--json'], { N8N_API_KEY: apiKey });
    assert.equal(error, undefined, `${error?.message}\n${n8n?.logTail()}`);
    assert.equal(code, 0);
    const installed = JSON.parse(out) as { template: string; id: string }[];
    const shipped = shippedTemplates().filter((t) => t.engine === 'n8n');
    assert.equal(installed.length, shipped.length);
    for (const t of shipped) {
      const row = installed.find((i) => i.template === t.name)!;
      const w = await rest.request<{ name: string; active: boolean; nodes: { name: string }[]; connections: object }>('GET', `/workflows/${row.id}`);
      const source = t.content as { name: string; nodes: { name: string }[]; connections: object };
      assert.equal(w.name, source.name);
      assert.equal(w.active, false, 'installed inactive: its credentials are still to be chosen');
      assert.deepEqual(w.nodes.map((n) => n.name).sort(), source.nodes.map((n) => n.name).sort());
      assert.deepEqual(w.connections, source.connections);
    }
  });

  it('refuses a wrong n8n API key with what to do', async () => {
    const { error } = await cli(['install', 'payment-to-crm', '--n8n', n8n!.baseUrl, '--api-key', 'not-a-key']);
    assert.match(error?.message ?? '', /refused the API key .*Settings → n8n API/);
  });

  it('adds a Node-RED example as a new tab twice over, with fresh ids and its wiring intact', async () => {
    const example = shippedTemplates().find((t) => t.engine === 'node-red' && t.name === 'payment-to-crm')!;
    const source = example.content as FlowNode[];
    for (let round = 1; round <= 2; round++) {
      const { code, error } = await cli(['install', 'payment-to-crm', '--node-red', nodeRed!.baseUrl]);
      assert.equal(error, undefined, error?.message);
      assert.equal(code, 0);
    }
    const flows = await getFlows(nodeRed!.baseUrl);
    const tabs = flows.filter((n) => n.type === 'tab' && n.label === source.find((s) => s.type === 'tab')!.label);
    assert.equal(tabs.length, 2, 'two independent tabs');
    const sourceIds = new Set(source.map((n) => n.id));
    for (const tab of tabs) {
      assert.ok(!sourceIds.has(tab.id));
      const inTab = flows.filter((n) => n.z === tab.id);
      // Its config nodes (store, account) come with it, scoped to the tab, so two installs do not share them.
      assert.deepEqual(inTab.map((n) => n.type).sort(), source.filter((n) => n.type !== 'tab').map((n) => n.type).sort());
      // Every wire still points at a node of the same tab.
      const ids = new Set(inTab.map((n) => n.id));
      for (const n of inTab) for (const port of (n.wires as string[][] | undefined) ?? []) for (const to of port) assert.ok(ids.has(to), `${n.type} wires to ${to}`);
    }
  });

  it('names the templates it has when asked for one it does not', async () => {
    const { error } = await cli(['install', 'no-such', '--node-red', 'http://127.0.0.1:9']);
    assert.match(error?.message ?? '', /"no-such" is not a node-red template.*payment-to-crm/);
  });
});
