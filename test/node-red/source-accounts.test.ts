import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import registerAdyen from '../../nodes/node-red/adyen-account';
import registerAdyenTerminal from '../../nodes/node-red/adyen-terminal-account';
import registerClover from '../../nodes/node-red/clover-account';
import registerSignedWebhook from '../../nodes/node-red/signed-webhook-account';
import registerSquare from '../../nodes/node-red/square-account';
import registerStripe from '../../nodes/node-red/stripe-terminal-account';
import registerSumUp from '../../nodes/node-red/sumup-account';
import registerZettle from '../../nodes/node-red/zettle-account';
import type { SourceAccountNode } from '../../nodes/node-red/shared/config-types';
import { SOURCE_ACCOUNT_FIELDS } from '../../nodes/node-red/shared/trigger-accounts';
import { InputError } from '../../nodes/core/errors';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { credentialRefusals, ENV_ONLY_FIELDS, schemaOf, sourceNamed } from '../core/sources/credential-refusals';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { adyenRequest, basicAuth } from '../core/sources/adyen-test-support';
import terminalChip from '../core/sources/fixtures/adyen-terminal/payment-chip.json';
import { fixture } from '../core/sources/generic-support';
import { fakeRed } from './support/fake-red';

/** What an operator types into a processor's config node must be what that source reads. */
describe('processor config nodes hand their source the fields it reads', () => {
  it('Adyen Terminal API: basic authentication for cloud notifications', () => {
    const red = fakeRed();
    registerAdyenTerminal(red.RED);
    const node = red.create('adyen-terminal-account', { id: 'a', basicUsername: 'ws_123@Company.Shop' }, { basicPassword: 's3cret' }) as unknown as SourceAccountNode;
    const credentials = parseSourceCredentials(node.source(), node.sourceCredentials()) as { basicUsername?: string; basicPassword?: string };
    assert.deepEqual([credentials.basicUsername, credentials.basicPassword], ['ws_123@Company.Shop', 's3cret']);
  });

  it("Adyen Terminal API: Live account marks the trigger's payments live-mode; off by default", async () => {
    const red = fakeRed();
    registerAdyenTerminal(red.RED);
    const livemode = async (live?: boolean) => {
      const node = red.create('adyen-terminal-account', { id: 'a', basicUsername: 'ws_123@Company.Shop', ...(live === undefined ? {} : { live }) }, { basicPassword: 's3cret' }) as unknown as SourceAccountNode;
      const out = await receiveWebhook(node.source(), adyenRequest(terminalChip, basicAuth('ws_123@Company.Shop', 's3cret')), { credentials: node.sourceCredentials() });
      assert.equal(out.events.length, 1, JSON.stringify(out));
      return out.events[0]!.livemode;
    };
    assert.deepEqual([await livemode(true), await livemode(false), await livemode()], [true, false, false]);
  });

  it('Clover: a merchant to poll with a single API token, and the currency of a payment that names none', () => {
    const red = fakeRed();
    registerClover(red.RED);
    const node = red.create('clover-account', { id: 'c', merchantId: ' MID1 ', currency: 'CAD', baseUrl: 'https://api.clover.com' }, { authCode: 'auth', apiToken: 'token' }) as unknown as SourceAccountNode;
    const credentials = parseSourceCredentials(node.source(), node.sourceCredentials()) as { merchantId?: string; currency?: string };
    assert.deepEqual([credentials.merchantId, credentials.currency], ['MID1', 'CAD']);
  });

  it('every field a source reads has its box in the account (but those read only from the environment)', () => {
    const red = fakeRed();
    for (const register of [registerStripe, registerSquare, registerAdyen, registerAdyenTerminal, registerZettle, registerClover, registerSumUp, registerSignedWebhook]) register(red.RED);
    /** A source field the dialog keeps in a box of another name. */
    const boxes: Record<string, Record<string, string>> = { stripe: { signingSecret: 'webhookSecrets' } };
    for (const [source, { type }] of Object.entries(SOURCE_ACCOUNT_FIELDS)) {
      const html = readFileSync(resolve(__dirname, '../../../nodes/node-red', `${type}.html`), 'utf8');
      const fields = Object.keys(sourceNamed(source).env).filter((f) => !(f in (ENV_ONLY_FIELDS[source] ?? {})));
      const boxless = fields.filter((f) => !html.includes(`id="node-config-input-${boxes[source]?.[f] ?? f}"`));
      assert.deepEqual(boxless, [], `${type}: no box for what ${source} reads`);
      // Each box reaches the source: filled in, every field is in the record the source parses.
      const filled = Object.fromEntries(fields.map((f) => [boxes[source]?.[f] ?? f, 'x']));
      const node = red.create(type, { id: `${source}-all`, ...filled }, filled) as unknown as SourceAccountNode;
      const handed = Object.keys(node.sourceCredentials());
      assert.deepEqual(fields.filter((f) => !handed.includes(f)), [], `${type}: boxes the source never gets`);
    }
  });

  it('SumUp: the webhook secret and the merchant code', () => {
    const red = fakeRed();
    registerSumUp(red.RED);
    const node = red.create('sumup-account', { id: 's', merchantCode: 'MC0X8Y2Z' }, { accessToken: 'sup_sk_1', signingSecret: 'whsec_sumup' }) as unknown as SourceAccountNode;
    const credentials = parseSourceCredentials(node.source(), node.sourceCredentials()) as Record<string, unknown>;
    assert.equal(credentials.merchantCode, 'MC0X8Y2Z');
    assert.ok(JSON.stringify(credentials.signingSecret).includes('whsec_sumup'));
  });
});

describe("processor config nodes name an unusable credential as their dialog does", () => {
  const catalog = (type: string) =>
    (JSON.parse(readFileSync(resolve(__dirname, '../../../nodes/node-red/locales/en-US', `${type}.json`), 'utf8')) as Record<string, { label: Record<string, string>; node: { label: string } }>)[type]!;
  /** A source field the dialog keeps in a box of another name. */
  const BOXES: Record<string, Record<string, string>> = { stripe: { signingSecret: 'webhookSecrets' } };
  const accounts = () => {
    const red = fakeRed();
    for (const register of [registerStripe, registerSquare, registerAdyen, registerAdyenTerminal, registerZettle, registerClover, registerSumUp, registerSignedWebhook]) register(red.RED);
    const config = JSON.stringify(fixture('dodo-config.json'));
    return (source: string) => red.create(SOURCE_ACCOUNT_FIELDS[source]!.type, { id: source, ...(source === 'generic' ? { config } : {}) }) as unknown as SourceAccountNode;
  };

  it('for every source and every field its schema refuses: the account as the trigger labels it, the field as the dialog does (locales/en-US)', () => {
    const account = accounts();
    const trigger = catalog('terminal-trigger');
    const refusals = credentialRefusals();
    assert.ok(refusals.length >= 20, `only ${refusals.length} refusals found`);
    for (const r of refusals) {
      const { property, type } = SOURCE_ACCOUNT_FIELDS[r.source]!;
      const node = account(r.source);
      const name = catalog(type).node.label;
      assert.equal(name, trigger.label[property], `${type}: listed as the trigger's field names it`);
      const label = catalog(type).label[BOXES[r.source]?.[r.field] ?? r.field];
      assert.ok(label, `${type} has a box for ${r.field}`);
      const what = `${r.source} (${r.schema}) ${r.field}=${JSON.stringify(r.record[r.field])}`;
      let caught: unknown;
      try {
        parseSourceCredentials(schemaOf(node.source(), r.schema), r.record, node.credentialPlace());
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof InputError, what);
      assert.equal(caught.field, `${name} → ${label}`, what);
      // A rule a poll's schema words as the source's own error (credentialFieldIssue) says what is needed first.
      const fix = `open the ${name} configuration, fill in ${label} and deploy`;
      assert.ok(caught.fix === fix || (/^[^;]+; /.test(caught.fix) && caught.fix.endsWith(`; ${fix}`)), `${what}: ${caught.fix}`);
    }
  });

  it("reads the account's own fields: a Square account's notification URL without https:// is its Notification URL", () => {
    const red = fakeRed();
    registerSquare(red.RED);
    const square = red.create('square-account', { id: 'sq', notificationUrl: 'hooks.example.com/square' }, { signatureKey: 'sig-key' }) as unknown as SourceAccountNode;
    assert.throws(
      () => parseSourceCredentials(square.source(), square.sourceCredentials(), square.credentialPlace()),
      /^InputError: Square account → Notification URL: "[^"]*" is not a usable URL: it has no scheme; .*\. Fix: open the Square account configuration, fill in Notification URL and deploy$/,
    );
  });
});
