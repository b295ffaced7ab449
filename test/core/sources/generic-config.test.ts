import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { GENERIC_CONFIG_ENV, createGenericSource, parseGenericConfig } from '../../../nodes/core/sources/generic';
import { sourceCredentialsFromEnv } from '../../../nodes/core/sources/source-credentials';
import { DODO_TEST_SECRET, fixture, fixturePath, standardWebhooksRequest } from './generic-support';

const dodo = fixture('dodo-config.json');

/** The InputError a configuration raises, as "field: problem. Fix: fix". */
function configError(input: unknown, where?: string): InputError {
  try {
    parseGenericConfig(input, where);
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e;
  }
  assert.fail('the configuration was accepted');
}

const withMapping = (change: Record<string, unknown>, drop: string[] = []) => {
  const mapping = { ...dodo.mapping, ...change };
  for (const key of drop) delete mapping[key];
  return { ...dodo, mapping };
};

describe('generic source configuration', () => {
  it('accepts every example configuration in the fixtures', () => {
    for (const name of ['dodo-config.json', 'worldline-config.json', 'cashfree-config.json', 'adyen-relay-config.json']) {
      assert.doesNotThrow(() => parseGenericConfig(fixture(name)), name);
    }
  });

  it('names the source, its label, its event types and its secret variable', () => {
    const source = createGenericSource(dodo);
    assert.equal(source.name, 'dodo-pos');
    assert.equal(source.label, 'Dodo Payments (Standard Webhooks)');
    assert.deepEqual(source.handledEventTypes, ['payment.succeeded', 'payment.failed', 'refund.succeeded', 'dispute.opened', 'dispute.won', 'dispute.lost']);
    assert.deepEqual(source.env, { secret: 'TERMINAL_CRM_WEBHOOK_SECRET' });
    const minimal = createGenericSource({ mapping: dodo.mapping, secretEnv: 'VERIFONE_WEBHOOK_SECRET' });
    assert.equal(minimal.name, 'generic');
    assert.equal(minimal.label, 'Generic webhook (generic)');
    assert.deepEqual(sourceCredentialsFromEnv(minimal, { VERIFONE_WEBHOOK_SECRET: ` ${DODO_TEST_SECRET} ` }), { secret: DODO_TEST_SECRET });
  });

  it('namespaces event ids by the instance name, so two gateways never share an id', async () => {
    const req = standardWebhooksRequest(fixture('dodo-payment-succeeded-chip.json'), { messageId: 'msg_1' });
    const a = await receiveWebhook(createGenericSource({ ...dodo, name: 'verifone-estate' }), req, { credentials: { secret: DODO_TEST_SECRET } });
    const b = await receiveWebhook(createGenericSource({ ...dodo, name: 'ingenico-shop' }), req, { credentials: { secret: DODO_TEST_SECRET } });
    assert.equal(a.events[0]?.id, 'verifone-estate:msg_1');
    assert.equal(b.events[0]?.id, 'ingenico-shop:msg_1');
    assert.equal(b.events[0]?.source, 'ingenico-shop');
  });

  it('takes the JSON text of an n8n or Node-RED field, or the path of a JSON file', () => {
    assert.equal(createGenericSource(JSON.stringify(dodo)).name, 'dodo-pos');
    assert.equal(createGenericSource(fixturePath('worldline-config.json')).name, 'worldline-estate');
  });

  for (const [what, input, field, problem, fix] of [
    ['a name that cannot prefix ids', { ...dodo, name: 'Verifone Estate' }, 'name', /lower-case letters, digits and dashes/, /verifone-estate/],
    // It would take Stripe's place: its path in the worker (/webhooks/stripe), its event ids, its payments in the ledger.
    ['a built-in source\'s name', { ...dodo, name: 'stripe' }, 'name', /^name: "stripe" is the name of the pack's own stripe source\./, /no built-in source's name, such as "verifone-estate"/],
    ['livemode as text', { ...dodo, livemode: 'yes' }, 'livemode', /expected boolean/, /^write true \(live payments\) or false/],
    ['a secret variable in lower case', { ...dodo, secretEnv: 'verifone_secret' }, 'secretEnv', /an environment variable name/, /^name the environment variable holding this gateway's signing secret/],
    ['an empty label', { ...dodo, label: '' }, 'label', /./, /^write the name messages call the gateway by/],
    ['an unknown scheme', { ...dodo, scheme: 'jws' }, 'scheme', /is not one of its choices: standard-webhooks, hmac/, /standard-webhooks/],
    ['a misspelt setting', withMapping({ amout: '$.data.amount' }), 'mapping.amout', /"amout" is not a setting here/, /^use one of: itemsPath, eventId, eventType, kind, kindByType, paymentId, amount, amountDecimal,/],
    ['a misspelt card setting', withMapping({ card: { last_4: '$.data.card_last_four' } }), 'mapping.card.last_4', /"last_4" is not a setting here/, /^use one of: brand, last4, bin, maskedPan,/],
    ['a misspelt field option', withMapping({ currency: { paths: '$.data.currency' } }), 'mapping.currency.paths', /"paths" is not a setting here/, /^use one of: path, template, map, default$/],
    ['a missing payment id', withMapping({}, ['paymentId']), 'mapping.paymentId', /./, /point it at the field/],
    ['a path that does not parse', withMapping({ paymentId: '$.data..payment_id' }), 'mapping.paymentId', /"\$\.data\.\.payment_id" is not a JSON path: a name must follow "\."/, /JSON path|field/],
    ['both amount and amountDecimal', withMapping({ amountDecimal: '$.data.amount' }), 'mapping.amount', /exactly one of "amount".*"amountDecimal"/, /field/],
    ['no kind at all', withMapping({}, ['kindByType']), 'mapping.kindByType', /say which event types are payments/, /"payment", "refund", "failure" or "dispute"/],
    ['a kind that does not exist', withMapping({ kindByType: { 'payment.succeeded': 'sale' } }), 'mapping.kindByType.payment.succeeded', /is not one of its choices: payment, /, /"payment", "refund"/],
    ['a handled type without a kind', { ...dodo, handledEventTypes: ['payment.succeeded', 'payout.paid'] }, 'handledEventTypes.1', /"payout.paid" has no kind/, /kindByType/],
    ['a handled type named like an object property', { ...dodo, handledEventTypes: ['payment.succeeded', 'constructor'] }, 'handledEventTypes.1', /"constructor" has no kind/, /kindByType/],
    ['hmac settings under the default scheme', { ...fixture('worldline-config.json'), scheme: undefined }, 'scheme', /^scheme: is "standard-webhooks", which reads no "hmac" settings; set "scheme": "hmac"/, /"hmac"/],
    ['hmac without its settings', { ...dodo, scheme: 'hmac', mapping: { ...dodo.mapping, eventId: '$.id' } }, 'hmac', /needs its settings/, /webhook-signature documentation/],
    ['a {timestamp} with no header for it', { ...fixture('cashfree-config.json'), hmac: { header: 'x-webhook-signature', signedString: '{timestamp}.{body}' } }, 'hmac.timestampHeader', /uses \{timestamp\}/, /signature documentation/],
    ['an unknown placeholder', { ...fixture('worldline-config.json'), hmac: { header: 'X-Sig', signedString: '{nonce}.{body}' } }, 'hmac.signedString', /"\{nonce\}" is not a placeholder/, /signature documentation/],
    ['an HMAC gateway without a mapped event id', { ...fixture('worldline-config.json'), mapping: { ...fixture('worldline-config.json').mapping, eventId: undefined } }, 'mapping.eventId', /carries no message id/, /field/],
    ['an unsupported algorithm', { ...fixture('worldline-config.json'), hmac: { header: 'X-Sig', algorithm: 'md5' } }, 'hmac.algorithm', /is not one of its choices: sha256, sha512, sha1/, /signature documentation/],
    ['an exponent for a non-currency', withMapping({ exponents: { YENS: 0 } }), 'mapping.exponents.YENS', /three-letter ISO 4217 code/, /\{"ISK": 2\}/],
    ['a template that names nothing', withMapping({ eventId: { template: 'fixed' } }), 'mapping.eventId', /names no value/, /field/],
  ] as const) {
    it(`names the field and the fix for ${what}`, () => {
      const e = configError(input);
      assert.equal(e.field, field, e.message);
      assert.match(e.message, problem);
      assert.match(e.fix, fix);
      assert.ok(e.message.startsWith(`${field}: `), e.message);
    });
  }

  it('reports JSON that does not parse', () => {
    const e = configError('{"mapping": ');
    assert.equal(e.field, 'config');
    assert.match(e.message, /is not valid JSON/);
  });

  it('reads TERMINAL_CRM_GENERIC_CONFIG as JSON or a file, and names the variable in its errors', () => {
    assert.equal(createGenericSource(undefined, { [GENERIC_CONFIG_ENV]: JSON.stringify(dodo) }).name, 'dodo-pos');
    const dir = mkdtempSync(join(tmpdir(), 'generic-config-'));
    try {
      const file = join(dir, 'verifone.json');
      writeFileSync(file, JSON.stringify({ ...dodo, name: 'verifone-estate' }));
      assert.equal(createGenericSource(undefined, { [GENERIC_CONFIG_ENV]: file }).name, 'verifone-estate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(
      () => createGenericSource(undefined, { [GENERIC_CONFIG_ENV]: JSON.stringify(withMapping({}, ['currency'])) }),
      (e: unknown) => e instanceof InputError && e.field === 'TERMINAL_CRM_GENERIC_CONFIG.mapping.currency',
    );
    assert.throws(() => createGenericSource(undefined, {}), /^InputError|TERMINAL_CRM_GENERIC_CONFIG: is not set\. Fix: set it to the generic source configuration/);
    assert.throws(
      () => createGenericSource(undefined, { [GENERIC_CONFIG_ENV]: '/nonexistent/generic.json' }),
      /TERMINAL_CRM_GENERIC_CONFIG: cannot read "\/nonexistent\/generic.json" \(ENOENT\)/,
    );
  });

  it('without kindByType, a mapped kind field decides, and an unknown kind is acknowledged and ignored', async () => {
    const source = createGenericSource(withMapping({ kind: { path: '$.data.payload_type', map: { Payment: 'payment', Refund: 'refund' } } }, ['kindByType']));
    assert.deepEqual(source.handledEventTypes, []);
    const credentials = { secret: DODO_TEST_SECRET };
    const refund = await receiveWebhook(source, standardWebhooksRequest(fixture('dodo-refund-succeeded-partial.json')), { credentials });
    assert.equal(refund.events[0]?.kind, 'refund');
    const dispute = await receiveWebhook(source, standardWebhooksRequest(fixture('dodo-dispute-opened.json')), { credentials });
    assert.equal(dispute.status, 200);
    assert.deepEqual(dispute.events, []);
    assert.deepEqual(dispute.report.ignored, ['Event type "dispute.opened" is not processed: mapping.kind ($.data.payload_type) gives it no payment, refund, failure or dispute kind']);
  });
});
