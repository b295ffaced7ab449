import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createContext, Script } from 'node:vm';
import { InputError } from '../../../nodes/core/errors';
import { GATEWAY_CHECK_PATH, type GatewayVerdict } from '../../../nodes/node-red/shared/gateway-check';
import type { SourceAccountNode } from '../../../nodes/node-red/shared/config-types';
import registerSignedWebhook from '../../../nodes/node-red/signed-webhook-account';
import { fixturePath } from '../../core/sources/generic-support';
import { fakeRed, serveFakeRed } from '../support/fake-red';

const REPO = resolve(__dirname, '../../../..');

/** A gateway the README's "Other gateways" describes: Standard Webhooks, every required field mapped. */
const GOOD = JSON.stringify({
  name: 'counter-gateway',
  mapping: { eventType: '$.type', kind: 'payment', paymentId: '$.data.id', amount: '$.data.amount', currency: '$.data.currency' },
});

/** What an operator types wrong in the box, each refused at deploy. */
const BAD = [
  '{"signature": ',
  '{"signature": 5}',
  '[]',
  JSON.stringify({ mapping: { eventType: '$.type', kind: 'payment', paymentId: '$.data.id', currency: '$.data.currency' } }),
  JSON.stringify({ scheme: 'hmac', mapping: { eventType: '$.type', kind: 'payment', paymentId: '$.data.id', amount: '$.data.amount', currency: '$.data.currency' } }),
  JSON.stringify({ name: 'Counter Gateway', mapping: JSON.parse(GOOD).mapping }),
  // JSON, but no configuration: a file on the Node-RED server, the server's TERMINAL_CRM_GENERIC_CONFIG.
  JSON.stringify(fixturePath('dodo-config.json')),
  'null',
];

describe('Node-RED signed-webhook account: the dialog checks its Gateway (JSON) by the rule a deploy applies', { timeout: 20_000 }, () => {
  const red = fakeRed();
  registerSignedWebhook(red.RED);
  const served = serveFakeRed(() => red.server);

  const ask = async (body: unknown): Promise<{ status: number; verdict: GatewayVerdict }> => {
    const res = await fetch(`${served.base()}${GATEWAY_CHECK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, verdict: (await res.json()) as GatewayVerdict };
  };

  /** What the deployed account says of the same box: its source, or the InputError the trigger reports. */
  const deployed = (config: string, n: number): InputError | undefined => {
    const account = red.create('signed-webhook-account', { id: `acct${n}`, config }, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) as unknown as SourceAccountNode;
    try {
      account.source();
      return undefined;
    } catch (e) {
      assert.ok(e instanceof InputError, `the deploy's refusal of ${config} is an InputError`);
      return e;
    }
  };

  it('answers each text as the deployed account takes it: the refusal names the box, the field and the fix', async () => {
    for (const [n, config] of [GOOD, ` ${GOOD}\n`, ...BAD].entries()) {
      const { status, verdict } = await ask({ config });
      const refusal = deployed(config, n);
      assert.equal(status, 200);
      if (!refusal) {
        assert.deepEqual(verdict, { ok: true }, config);
        continue;
      }
      assert.deepEqual(verdict, { ok: false, field: refusal.field, problem: refusal.problem, fix: refusal.fix, message: refusal.message }, config);
      assert.match(refusal.field, /^Signed webhook → Gateway \(JSON\)/, 'named as the dialog shows it');
    }
    assert.ok(!deployed(GOOD, 99), 'the good gateway deploys');
    assert.equal(BAD.filter((config, n) => deployed(config, 100 + n)).length, BAD.length, 'every bad one is refused at deploy');
  });

  it('reads no file of the server: a box holding a JSON string is refused, quoting nothing of the file it names', async () => {
    const readme = resolve(REPO, 'README.md');
    const { verdict } = await ask({ config: JSON.stringify(readme) });
    assert.deepEqual(verdict.ok ? verdict : [verdict.field, verdict.problem], ['Signed webhook → Gateway (JSON) → config', 'is a JSON string, not the configuration object']);
    assert.doesNotMatch(JSON.stringify(verdict), /# terminal/, 'nothing of the file (its first line, "# terminal-crm …")');
  });

  it('names the field inside the JSON where it can, and refuses a body that is not text', async () => {
    const missingAmount = (await ask({ config: BAD[3] })).verdict;
    assert.equal(missingAmount.ok, false);
    assert.match((missingAmount as { field: string }).field, /mapping/);
    const notText = await ask({ config: { name: 'x' } });
    assert.equal(notText.status, 400);
    assert.equal(notText.verdict.ok, false);
  });

  it('asks for the account type\'s read permission, as Node-RED\'s own admin routes do', () => {
    assert.deepEqual(red.permissions, ['signed-webhook-account.read']);
  });

  it('the dialog marks the box with the runtime\'s reason, and clears it when the text is fixed', async () => {
    const html = readFileSync(resolve(REPO, 'nodes/node-red/signed-webhook-account.html'), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const dialog = editorDialog(script, served.base());
    const validate = dialog.def.defaults.config!.validate!;
    assert.equal(validate.length, 2, 'two arguments: Node-RED shows a returned string as the reason only then');

    dialog.box.value = BAD[3]!;
    dialog.def.oneditprepare!.call({});
    await dialog.settled();
    const reason = (await ask({ config: BAD[3] })).verdict as { message: string };
    assert.equal(validate.call({}, BAD[3], {}), reason.message);
    assert.deepEqual([dialog.reason.text, dialog.reason.shown, dialog.box.classes.has('input-error')], [reason.message, true, true]);

    dialog.box.value = GOOD;
    dialog.box.fire('input');
    await dialog.settled();
    assert.equal(validate.call({}, GOOD, {}), true);
    assert.deepEqual([dialog.reason.text, dialog.reason.shown, dialog.box.classes.has('input-error')], ['', false, false]);
    assert.equal(validate.call({}, 'a text never sent', {}), true, 'a text the runtime was not asked about is not marked; the deploy checks it');
  });
});

interface Element {
  value: string;
  text: string;
  shown: boolean;
  classes: Set<string>;
  listeners: Map<string, () => void>;
  fire(event: string): void;
}

/**
 * The dialog's script in a context of its own, as the editor runs it: a jQuery stand-in whose elements keep what the
 * dialog sets, whose $.ajax posts to the stand-in runtime (relative to the admin root, as the editor's requests are),
 * and timers that run at once.
 */
function editorDialog(script: string, base: string) {
  const elements = new Map<string, Element>();
  const element = (selector: string): Element => {
    let el = elements.get(selector);
    if (!el) {
      el = { value: '', text: '', shown: false, classes: new Set(), listeners: new Map(), fire: (event) => el!.listeners.get(event)?.() };
      elements.set(selector, el);
    }
    return el;
  };
  const pending: Promise<unknown>[] = [];
  const $ = (selector: string) => {
    const el = element(selector);
    const chain = {
      val: () => el.value,
      on: (events: string, fn: () => void) => {
        for (const e of events.split(' ')) el.listeners.set(e, fn);
        return chain;
      },
      toggleClass: (name: string, on: boolean) => (on ? el.classes.add(name) : el.classes.delete(name), chain),
      text: (t: string) => ((el.text = t), chain),
      toggle: (on: boolean) => ((el.shown = on), chain),
    };
    return chain;
  };
  $.ajax = (opts: { url: string; type: string; contentType: string; data: string }) => {
    const answer = fetch(`${base}/${opts.url}`, { method: opts.type, headers: { 'content-type': opts.contentType }, body: opts.data }).then((r) => r.json());
    const deferred = {
      done: (fn: (a: unknown) => void) => (pending.push(answer.then(fn, () => undefined)), deferred),
      fail: (fn: () => void) => (pending.push(answer.then(() => undefined, fn)), deferred),
    };
    return deferred;
  };
  let def: { defaults: Record<string, { validate?: (this: object, v: unknown, opt: object) => unknown }>; oneditprepare?: (this: object) => void } | undefined;
  const RED = { nodes: { registerType: (_t: string, d: typeof def) => (def = d) } };
  new Script(script).runInContext(createContext({ RED, $, setTimeout: (fn: () => void) => (fn(), 0), clearTimeout: () => undefined, String, Object, JSON }));
  assert.ok(def, 'the dialog registers its type');
  return {
    def,
    box: element('#node-config-input-config'),
    reason: element('#node-config-gateway-verdict'),
    /** Until every answer the dialog asked for has arrived and been shown. */
    settled: async () => {
      while (pending.length) await pending.shift();
    },
  };
}
