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

describe('examples/payment-to-saas-crm.json (the Node-RED template for a SaaS CRM)', () => {
  const flow = JSON.parse(readFileSync(resolve(REPO, 'examples', 'payment-to-saas-crm.json'), 'utf8')) as Array<Record<string, unknown> & { id: string; type: string }>;
  const byId = new Map(flow.map((n) => [n.id, n]));
  const one = (type: string) => {
    const found = flow.filter((n) => n.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0]!;
  };
  const wires = (id: string, output = 0) => ((byId.get(id)!.wires as string[][])[output] ?? []).map((w) => byId.get(w)!);

  it('wires trigger → tokenize → match (both outputs) → upsert on HubSpot through the crm-account', () => {
    const match = one('terminal-match-customer');
    const upsert = one('terminal-crm-upsert');
    assert.deepEqual(wires(one('terminal-trigger').id).map((n) => n.type), ['terminal-tokenize']);
    assert.deepEqual([wires(match.id, 0).map((n) => n.id), wires(match.id, 1).map((n) => n.id)], [[upsert.id], [upsert.id]]);
    assert.equal(upsert.crm, 'hubspot');
    assert.equal(byId.get(upsert.account as string)?.type, 'crm-account');
    assert.equal(byId.get(upsert.account as string)?.crm, 'hubspot');
  });

  it('drives CRM sync on the same account from an inject repeating every minute, the deadline below it, and mails its alerts to operations', () => {
    const sync = one('terminal-crm-sync');
    assert.equal(sync.account, one('terminal-crm-upsert').account, 'CRM sync sends what the upsert queued: the same CRM account');
    const inject = one('inject');
    assert.deepEqual([inject.repeat, wires(inject.id).map((n) => n.id)], ['60', [sync.id]]);
    assert.ok(Number(sync.deadline) > 0 && Number(sync.deadline) < 60);
    const [mail] = wires(sync.id, 1);
    assert.deepEqual([mail?.type, mail?.to], ['terminal-send-message', 'ops@yourshop.example']);
    assert.deepEqual(wires(sync.id, 0).map((n) => n.type), ['debug']);
  });

  it('says what to fill in, and that another CRM is changed on both nodes', () => {
    const info = String(one('tab').info);
    for (const words of [/Stripe account/, /token key/, /HubSpot account/, /SMTP/, /ops@yourshop\.example/, /\*\*both\*\* nodes/, /\/terminal-crm\/saas-crm/]) assert.match(info, words);
    const note = flow.find((n) => n.type === 'comment' && /CRM sync/.test(String(n.name)));
    assert.match(String(note?.info), /change the CRM on both nodes/);
  });
});
