import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readyBlock } from '../../../sandbox/run/ready-block';
import { sandboxConfigFromEnv } from '../../../sandbox/run/sandbox-config';
import type { RunningSandbox } from '../../../sandbox/run/start-sandbox';
import { tempDir } from '../../support/temp-store';

describe('the ready block: CRM and mail', () => {
  const work = tempDir('tcrm-ready-block-');
  after(() => work.remove());

  const running = (env: NodeJS.ProcessEnv, mail: RunningSandbox['mail']): RunningSandbox => {
    const config = sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'state'), ...env });
    const url = 'http://127.0.0.1:1';
    return {
      config, mail, readyMs: 1000, endpointsFile: join(config.dir, 'endpoints.json'),
      urls: { n8n: url, nodeRed: url, temporalUi: url, temporal: '127.0.0.1:7233', webhooks: { n8n: url, 'node-red': url, temporal: `${url}/webhooks/stripe` }, endpoints: {} },
    } as unknown as RunningSandbox;
  };

  it('says where the mail is read and that the CRM is the local store by default', () => {
    const block = readyBlock(running({}, { smtpPort: 1025, listUrl: 'http://127.0.0.1:8025/mail', pageUrl: 'http://127.0.0.1:8025/' }));
    assert.match(block, /^CRM: +local \(the store only; TERMINAL_CRM_CRM=hubspot\|/m);
    assert.match(block, /^Mail: +the thank-you templates \(n8n, Node-RED\) send to a mail catcher, SMTP 127\.0\.0\.1:1025;/m);
    assert.match(block, /Read what arrived: http:\/\/127\.0\.0\.1:8025\/ \(JSON: http:\/\/127\.0\.0\.1:8025\/mail\)/);
  });

  it('names a SaaS CRM, its base URL and the variables, never the token; and says when there is no mail catcher', () => {
    const block = readyBlock(running({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret', HUBSPOT_BASE_URL: 'http://127.0.0.1:4010' }, { missing: "Cannot find module 'smtp-server'" }));
    assert.match(block, /^CRM: +hubspot at http:\/\/127\.0\.0\.1:4010 through the store's outbox \(credentials from HUBSPOT_ACCESS_TOKEN\)/m);
    assert.doesNotMatch(block, /pat-na1-secret/);
    assert.match(block, /^Mail: +no mail catcher, so no thank-you template: it needs the smtp-server and mailparser packages.*Cannot find module 'smtp-server'/m);
  });
});
