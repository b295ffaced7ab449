import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ICredentialType } from 'n8n-workflow';
import { StripeTerminalApi } from '../../credentials/StripeTerminalApi.credentials';
import { TerminalAdyenTerminalApi } from '../../credentials/TerminalAdyenTerminalApi.credentials';
import { TerminalAdyenWebhookApi } from '../../credentials/TerminalAdyenWebhookApi.credentials';
import { TerminalCloverApi } from '../../credentials/TerminalCloverApi.credentials';
import { TerminalGenericWebhookApi } from '../../credentials/TerminalGenericWebhookApi.credentials';
import { TerminalSquareApi } from '../../credentials/TerminalSquareApi.credentials';
import { TerminalSumUpApi } from '../../credentials/TerminalSumUpApi.credentials';
import { TerminalZettleApi } from '../../credentials/TerminalZettleApi.credentials';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { adyenTerminalSource } from '../../nodes/core/sources/adyen-terminal';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { SOURCE_CREDENTIAL_TYPES } from '../../nodes/n8n/TerminalTrigger/source-credentials';
import { adyenRequest, basicAuth } from '../core/sources/adyen-test-support';
import { ENV_ONLY_FIELDS, sourceNamed } from '../core/sources/credential-refusals';
import chip from '../core/sources/fixtures/adyen-terminal/payment-chip.json';
import { credentialWithDefaults } from './support/credential-request-test';

const CLASSES: ICredentialType[] = [
  new StripeTerminalApi(), new TerminalSquareApi(), new TerminalAdyenWebhookApi(), new TerminalAdyenTerminalApi(),
  new TerminalZettleApi(), new TerminalCloverApi(), new TerminalSumUpApi(), new TerminalGenericWebhookApi(),
];

describe('n8n: every field a source reads is in its credential', () => {
  it('offers each field of the source (its env map) but those read only from the environment', () => {
    for (const [source, type] of Object.entries(SOURCE_CREDENTIAL_TYPES)) {
      const cls = CLASSES.find((c) => c.name === type)!;
      const offered = new Set(cls.properties.map((p) => p.name));
      const missing = Object.keys(sourceNamed(source).env).filter((f) => !offered.has(f) && !(f in (ENV_ONLY_FIELDS[source] ?? {})));
      assert.deepEqual(missing, [], `${cls.displayName} lacks a field for what ${source} reads`);
    }
  });

  it("Adyen Terminal API: Live Account marks the trigger's payments live-mode; off by default", async () => {
    const BASIC = { basicUsername: 'adyen-events', basicPassword: 'tr0ub4dor&3' };
    const livemode = async (fields: Record<string, unknown>) => {
      const credentials = await credentialWithDefaults(new TerminalAdyenTerminalApi(), { ...BASIC, ...fields });
      const out = await receiveWebhook(adyenTerminalSource, adyenRequest(chip, basicAuth(BASIC.basicUsername, BASIC.basicPassword)), { credentials });
      assert.equal(out.events.length, 1, JSON.stringify(out));
      return out.events[0]!.livemode;
    };
    assert.equal(await livemode({ live: true }), true);
    assert.equal(await livemode({}), false);
  });

  it('Clover: Currency is read for a payment that names none', async () => {
    const credentials = await credentialWithDefaults(new TerminalCloverApi(), { authCode: 'auth', apiToken: 'token', currency: 'cad' });
    assert.equal((parseSourceCredentials(sourceNamed('clover'), credentials) as { currency?: string }).currency, 'cad');
  });
});
