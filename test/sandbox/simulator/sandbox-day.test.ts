import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest } from '../../../nodes/core/http/http-transport';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { loadSandboxSecrets } from '../../../sandbox/run/sandbox-secrets';
import { sourceKeysFromEnv, withEndpointFields } from '../../../sandbox/run/source-keys';
import { sandboxSource, SANDBOX_SOURCES, type SandboxSource } from '../../../sandbox/simulator/sandbox-sources';
import { cloverApiStub } from '../../../sandbox/simulator/clover-events';
import { sandboxDay, type SandboxStep, type Till } from '../../../sandbox/simulator/shop-scenario';
import { sumupApiStub } from '../../../sandbox/simulator/sumup-events';
import { tempDir } from '../../support/temp-store';

describe("the sandbox's day across every source, as each till sends it", () => {
  it('gives every source payments with every entry mode its processor has, declines, refunds and disputes, each accepted by the core', async () => {
    const work = tempDir('tcrm-day-');
    try {
      const keys = sourceKeysFromEnv({}, loadSandboxSecrets(work.path).secrets);
      const credentials = withEndpointFields(keys, { cloverBaseUrl: 'http://127.0.0.1:9/sandbox/clover', sumupBaseUrl: 'http://127.0.0.1:9/sandbox/sumup' });
      const clover = cloverApiStub();
      const sumup = sumupApiStub();
      const http = { request: (r: HttpRequest) => (/\/v3\/merchants\//.test(r.url) ? clover : sumup).request(r) };
      const c = keys.credentials;
      const tillKeys = {
        square: c.square.signatureKey!, adyen: c.adyen.hmacKey!, zettle: c.zettle.signingKey!, clover: c.clover.authCode!, sumup: c.sumup.signingSecret!, generic: c.generic.secret!,
        adyenTerminal: { keyIdentifier: c['adyen-terminal'].keyIdentifier!, passphrase: c['adyen-terminal'].passphrase!, keyVersion: 1 },
      };
      const tills: Till[] = ['n8n', 'nodered'].map((name) => ({ name, stripeSecret: c.stripe.signingSecret!, keys: tillKeys, squareUrl: `http://127.0.0.1/${name}/square`, book: {} }));
      const seen = new Map<SandboxSource, { kinds: Set<string>; modes: Set<string> }>(SANDBOX_SOURCES.map((s) => [s, { kinds: new Set(), modes: new Set() }]));
      const day = sandboxDay();
      for (let i = 0; i < SANDBOX_SOURCES.length * 40; i++) {
        const step: SandboxStep = day.next().value;
        const perTill: string[][] = [];
        for (const till of tills) {
          const d = step.deliver(till);
          if (d.clover) clover.add(d.clover);
          if (d.sumup) sumup.add(d.sumup);
          const outcome = await receiveWebhook(
            sandboxSource(step.source),
            { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: till.squareUrl, receivedAt: new Date() },
            { credentials: credentials[step.source], http },
          );
          assert.equal(outcome.status, 200, `${step.source} ${step.label}: ${outcome.answer.body}`);
          assert.ok(outcome.events.length > 0, `${step.source} ${step.label} holds no event: ${JSON.stringify(outcome.report)}`);
          for (const e of outcome.events) {
            // The Terminal API's payments are Adyen's, as its standard webhooks name them.
            assert.ok(e.id.startsWith(`${sandboxSource(step.source).eventSource ?? step.source}:`), e.id);
            seen.get(step.source)!.kinds.add(e.kind);
            if (e.card && e.kind === 'payment') seen.get(step.source)!.modes.add(e.card.wallet ?? e.card.entryMode);
          }
          perTill.push(outcome.events.map((e) => e.id));
        }
        // Each till has its own ids: the same event given to two engines would be recorded once.
        const [a, b] = perTill;
        assert.equal(a!.filter((id) => b!.includes(id)).length, 0, `${step.source} ${step.label}: the tills share ids ${a}`);
      }
      const got = Object.fromEntries([...seen].map(([s, v]) => [s, { kinds: [...v.kinds].sort(), modes: [...v.modes].sort() }]));
      assert.deepEqual(got, {
        stripe: { kinds: ['dispute', 'failure', 'payment', 'refund'], modes: ['apple_pay', 'chip', 'contactless', 'swipe'] },
        square: { kinds: ['dispute', 'failure', 'payment', 'refund'], modes: ['apple_pay', 'chip', 'contactless', 'keyed', 'swipe'] },
        adyen: { kinds: ['dispute', 'failure', 'payment', 'refund'], modes: ['apple_pay', 'chip', 'contactless', 'google_pay', 'keyed', 'swipe'] },
        'adyen-terminal': { kinds: ['failure', 'payment'], modes: ['apple_pay', 'chip', 'contactless', 'google_pay', 'keyed', 'swipe'] },
        zettle: { kinds: ['payment', 'refund'], modes: ['chip', 'contactless', 'swipe'] },
        clover: { kinds: ['failure', 'payment', 'refund'], modes: ['chip', 'contactless', 'keyed', 'swipe'] },
        sumup: { kinds: ['dispute', 'failure', 'payment', 'refund'], modes: ['apple_pay', 'chip', 'contactless', 'fallback', 'google_pay', 'keyed', 'swipe'] },
        generic: { kinds: ['dispute', 'failure', 'payment', 'refund'], modes: ['apple_pay', 'chip', 'contactless', 'fallback', 'google_pay', 'keyed', 'swipe'] },
      });
    } finally {
      work.remove();
    }
  });
});
