import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readPaymentToCrmExample } from '../../sandbox/run/node-red/payment-flow';

const REPO = resolve(__dirname, '../../..');

describe('examples/payment-to-crm.json (the Node-RED template)', () => {
  const flow = readPaymentToCrmExample(REPO);
  const byId = new Map(flow.map((n) => [n.id, n]));
  const next = (id: string) => ((byId.get(id)!.wires as string[][])[0] ?? []).map((w) => byId.get(w)!.type);

  it('wires trigger → tokenize → match → upsert', () => {
    const trigger = flow.find((n) => n.type === 'terminal-trigger')!;
    assert.deepEqual(next(trigger.id), ['terminal-tokenize']);
    assert.deepEqual(next(flow.find((n) => n.type === 'terminal-tokenize')!.id), ['terminal-match-customer']);
    assert.deepEqual(next(flow.find((n) => n.type === 'terminal-match-customer')!.id), ['terminal-crm-upsert']);
  });

  it('uses only node types this package registers, or Node-RED core ones', () => {
    const own = Object.keys((JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red'].nodes);
    const unknown = flow.map((n) => n.type).filter((t) => !own.includes(t) && !['tab', 'comment', 'debug', 'catch'].includes(t));
    assert.deepEqual(unknown, []);
  });

  it('ships no secrets, and every config reference points at a node of the flow', () => {
    assert.equal(flow.filter((n) => 'credentials' in n).length, 0);
    for (const n of flow) {
      for (const ref of ['account', 'store'] as const) if (ref in n) assert.ok(byId.has(n[ref] as string), `${n.type}.${ref}`);
    }
  });
});
