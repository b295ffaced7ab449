import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../sandbox/install';

const REPO = resolve(__dirname, '../../..');
const EXAMPLES = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.json')).sort();
type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [key: string]: unknown };

/** Node-RED's core node types at the pinned version: every registerType in @node-red/nodes' editor files. */
async function coreTypes(): Promise<Set<string>> {
  const engine = await ensureEngine('node-red');
  const root = join(engine.dir, 'node_modules', '@node-red', 'nodes', 'core');
  const types = new Set<string>(['tab', 'group', 'junction']);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.html')) for (const m of readFileSync(path, 'utf8').matchAll(/RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]!);
    }
  };
  walk(root);
  return types;
}

const packTypes = () => new Set(Object.keys((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red'].nodes));

describe('Node-RED example validator (every file in examples/)', { timeout: 600_000 }, () => {
  let core: Set<string>;
  before(async () => {
    core = await coreTypes();
  });

  it('has one example per template, as the README lists them', () => {
    assert.deepEqual(EXAMPLES, ['failed-payment-alert.json', 'high-value-alert.json', 'loyalty-welcome.json', 'payment-to-crm.json', 'payment-to-saas-crm.json', 'refund-sync.json', 'thank-you.json']);
    assert.ok(core.has('http request') && core.has('inject') && !core.has('e-mail'), 'read the core list of the installed Node-RED (it has no email node)');
  });

  for (const file of EXAMPLES) {
    describe(file, () => {
      const flow = JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as FlowNode[];
      const byId = new Map(flow.map((n) => [n.id, n]));

      it('uses only node types of the pack or of the pinned Node-RED core', () => {
        const own = packTypes();
        assert.deepEqual(flow.filter((n) => !own.has(n.type) && !core.has(n.type)).map((n) => n.type), []);
      });

      it('wires only to nodes of the flow, on one tab, with config references inside it', () => {
        assert.equal(byId.size, flow.length, 'ids are unique');
        const tabs = flow.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1);
        for (const n of flow) {
          for (const target of (n.wires ?? []).flat()) assert.ok(byId.has(target), `${n.type} ${n.id} → ${target}, which is not in the flow`);
          if (n.z !== undefined) assert.equal(n.z, tabs[0]!.id, `${n.type} ${n.id} is on the flow's tab`);
          for (const ref of ['account', 'store'] as const) if (typeof n[ref] === 'string' && n[ref]) assert.ok(byId.has(n[ref] as string), `${n.type}.${ref}`);
        }
      });

      it('posts to Slack the Slack-escaped text, so a customer name cannot mention a channel there', () => {
        const toSlack = flow.filter((n) => n.type === 'http request' && /slack/i.test(String(n.url)));
        const feeding = flow.filter((n) => (n.wires ?? []).flat().some((t) => toSlack.some((s) => s.id === t)));
        assert.equal(feeding.length, toSlack.length, 'one node shapes each Slack post');
        for (const n of feeding) assert.match(JSON.stringify(n), /payload\.message\.slackText/, `${n.type} ${String(n.name)} sends message.slackText`);
      });

      it('ships no secrets and formats no amount itself', () => {
        assert.equal(flow.filter((n) => 'credentials' in n).length, 0);
        assert.doesNotMatch(JSON.stringify(flow), /whsec_[A-Za-z0-9]|sk_(live|test)_|"k1:[0-9a-f]|\/ ?100\b/);
        assert.ok(flow.some((n) => n.type === 'comment'), 'a comment says what to fill in');
      });

      it('has, for every message quiet hours can hold, an inject → terminal message flushing that kind → the same nodes as its composer', () => {
        const messages = flow.filter((n) => n.type === 'terminal-message');
        for (const composer of messages.filter((n) => n.mode !== 'flush' && ['thank-you', 'loyalty-welcome', 'refund'].includes(String(n.kind)))) {
          const flush = messages.find((n) => n.mode === 'flush' && n.kind === composer.kind);
          assert.ok(flush, `a terminal message in "send messages held by quiet hours" mode for the ${String(composer.kind)} messages "${String(composer.name)}" holds`);
          assert.ok(flow.some((n) => n.type === 'inject' && Number(n.repeat) > 0 && (n.wires ?? []).flat().includes(flush.id)), `an inject repeating on a schedule drives "${String(flush.name)}"`);
          assert.deepEqual(flush.wires, composer.wires, `"${String(flush.name)}" sends what it releases where "${String(composer.name)}" sends`);
        }
      });

      it('lays nodes out without two on one spot', () => {
        const spots = flow.filter((n) => typeof n.x === 'number').map((n) => `${String(n.x)},${String(n.y)}`);
        assert.equal(new Set(spots).size, spots.length);
      });
    });
  }

  it('gives every example trigger its own path', () => {
    const paths = EXAMPLES.flatMap((f) => (JSON.parse(readFileSync(join(REPO, 'examples', f), 'utf8')) as FlowNode[]).filter((n) => n.type === 'terminal-trigger').map((n) => n.path));
    assert.equal(new Set(paths).size, paths.length);
  });
});
