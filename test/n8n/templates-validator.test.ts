import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { INodeTypeDescription } from 'n8n-workflow';
import { ensureEngine } from '../../sandbox/install';
import { n8nTemplate } from './support/template';

const REPO = resolve(__dirname, '../../..');
const PACKAGE = '@terminal-crm/n8n-nodes-terminal-crm';
const TEMPLATES = readdirSync(join(REPO, 'templates', 'n8n')).filter((f) => f.endsWith('.json')).sort();

interface TypeInfo {
  versions: number[];
  /** Outputs when fixed (a list); undefined when the node works them out from its parameters. */
  outputs?: number;
  webhook: boolean;
}

/** The pack's node types as the package.json `n8n.nodes` list registers them, read from the compiled classes. */
function packTypes(): Map<string, TypeInfo> {
  const files = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;
  const out = new Map<string, TypeInfo>();
  for (const file of files) {
    const compiled = resolve(__dirname, '../..', file.replace(/^dist\//, ''));
    const mod = require(compiled) as Record<string, new () => { description: INodeTypeDescription }>;
    for (const Cls of Object.values(mod)) {
      const d = new Cls().description;
      const versions = Array.isArray(d.version) ? d.version : [d.version];
      out.set(`${PACKAGE}.${d.name}`, { versions, outputs: Array.isArray(d.outputs) ? d.outputs.length : undefined, webhook: Boolean(d.webhooks?.length) });
    }
  }
  return out;
}

/** n8n's own node types at the pinned version, from the installed n8n-nodes-base's type list (what the editor loads). */
async function coreTypes(): Promise<Map<string, TypeInfo>> {
  const engine = await ensureEngine('n8n');
  const list = JSON.parse(readFileSync(join(engine.dir, 'node_modules', 'n8n-nodes-base', 'dist', 'types', 'nodes.json'), 'utf8')) as INodeTypeDescription[];
  const out = new Map<string, TypeInfo>();
  for (const d of list) {
    const type = `n8n-nodes-base.${d.name}`;
    const versions = [...(out.get(type)?.versions ?? []), ...(Array.isArray(d.version) ? d.version : [d.version])];
    out.set(type, { versions, webhook: Boolean(d.webhooks?.length) });
  }
  return out;
}

describe('n8n templates validator (every file in templates/n8n/)', { timeout: 600_000 }, () => {
  let types: Map<string, TypeInfo>;
  before(async () => {
    types = new Map([...(await coreTypes()), ...packTypes()]);
  });

  it('covers the seven templates the README lists', () => {
    assert.deepEqual(TEMPLATES, ['failed-payment-alert.json', 'high-value-alert.json', 'loyalty-welcome.json', 'payment-to-crm.json', 'payment-to-saas-crm.json', 'refund-sync.json', 'thank-you.json']);
  });

  for (const file of TEMPLATES) {
    describe(file, () => {
      const wf = n8nTemplate(file);
      const names = new Set(wf.nodes.map((n) => n.name));

      it('uses only node types and versions of the pack or of the pinned n8n', () => {
        const unknown = wf.nodes.filter((n) => !types.get(n.type)?.versions.includes(n.typeVersion)).map((n) => `${n.name}: ${n.type}@${n.typeVersion}`);
        assert.deepEqual(unknown, []);
      });

      it('connects only nodes that exist, from outputs they have', () => {
        assert.equal(names.size, wf.nodes.length, 'node names are unique');
        for (const [from, byType] of Object.entries(wf.connections)) {
          assert.ok(names.has(from), `a connection starts at "${from}", which is not a node`);
          const node = wf.nodes.find((n) => n.name === from)!;
          const outputs = types.get(node.type)?.outputs;
          const main = byType.main ?? [];
          if (outputs !== undefined) assert.ok(main.length <= outputs, `${from} has ${outputs} output(s), the template wires ${main.length}`);
          for (const c of main.flat()) assert.ok(c && names.has(c.node), `${from} → "${c?.node}", which is not a node`);
        }
        const reached = new Set(Object.values(wf.connections).flatMap((t) => (t.main ?? []).flat().map((c) => c!.node)));
        const orphans = wf.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote' && !reached.has(n.name) && !wf.connections[n.name]);
        assert.deepEqual(orphans.map((n) => n.name), [], 'every working node is wired');
      });

      it('holds no credentials, no instance or workflow ids, and a fixed webhook id on each webhook node', () => {
        const text = JSON.stringify(wf);
        assert.equal(wf.nodes.filter((n) => 'credentials' in n).length, 0);
        assert.doesNotMatch(text, /"instanceId"|"versionId"|"credentials"|whsec_[A-Za-z0-9]|sk_(live|test)_|ctok_|"k1:[0-9a-f]/);
        assert.equal((wf as { id?: unknown }).id, undefined);
        for (const n of wf.nodes.filter((n) => types.get(n.type)?.webhook)) assert.match(String(n.webhookId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, n.name);
      });

      it('formats no amount itself (no division by 100 in expressions) and says what to fill in', () => {
        for (const n of wf.nodes) assert.doesNotMatch(JSON.stringify(n.parameters), /\/\s*100\b|toFixed\(/, `${n.name} formats an amount itself`);
        const setup = wf.nodes.find((n) => n.name === 'Setup' && n.type === 'n8n-nodes-base.stickyNote');
        assert.match(String(setup?.parameters.content), /Terminal CRM Store/);
        if (wf.nodes.some((n) => n.type === 'n8n-nodes-base.emailSend')) assert.match(String(setup!.parameters.content), /SMTP/);
      });
    });
  }

  it('gives every template its own webhook id, so all can be imported into one n8n', () => {
    const ids = TEMPLATES.flatMap((f) => n8nTemplate(f).nodes.filter((n) => n.webhookId).map((n) => n.webhookId));
    assert.equal(new Set(ids).size, ids.length);
  });
});
