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

  const templates = {
    n8n: { 'thank-you': 'http://127.0.0.1:5678/webhook/ae57/webhook', 'high-value-alert': 'http://127.0.0.1:5678/webhook/3c9d/webhook' },
    'node-red': { 'thank-you': 'http://127.0.0.1:1880/terminal-crm/thank-you', 'high-value-alert': 'http://127.0.0.1:1880/terminal-crm/high-value' },
  };
  const running = (env: NodeJS.ProcessEnv, mail: RunningSandbox['mail']): RunningSandbox => {
    const config = sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'state'), ...env });
    const url = 'http://127.0.0.1:1';
    return {
      config, mail, templates: 'missing' in mail ? { n8n: {}, 'node-red': {} } : templates, readyMs: 1000, endpointsFile: join(config.dir, 'endpoints.json'),
      urls: { n8n: url, nodeRed: url, temporalUi: url, temporal: '127.0.0.1:7233', webhooks: { n8n: url, 'node-red': url, temporal: `${url}/webhooks/stripe` }, endpoints: {} },
    } as unknown as RunningSandbox;
  };

  it('says where the mail is read and that the CRM is the local store by default', () => {
    const block = readyBlock(running({}, { smtpPort: 1025, listUrl: 'http://127.0.0.1:8025/mail', pageUrl: 'http://127.0.0.1:8025/', slackUrl: 'http://127.0.0.1:8025/slack' }));
    assert.match(block, /^CRM: +local \(the store only; TERMINAL_CRM_CRM=hubspot\|/m);
    assert.match(block, /^Mail: +the message templates send to a mail catcher \(SMTP 127\.0\.0\.1:1025\) and post to its Slack receiver \(http:\/\/127\.0\.0\.1:8025\/slack\/<template>\);/m);
    assert.match(block, /Read what arrived: http:\/\/127\.0\.0\.1:8025\/ \(JSON: http:\/\/127\.0\.0\.1:8025\/mail, http:\/\/127\.0\.0\.1:8025\/slack\)/);
    assert.match(block, /^  thank-you +n8n http:\/\/127\.0\.0\.1:5678\/webhook\/ae57\/webhook +Node-RED http:\/\/127\.0\.0\.1:1880\/terminal-crm\/thank-you$/m);
    assert.match(block, /^  high-value-alert +n8n \S+3c9d\S+ +Node-RED \S+\/terminal-crm\/high-value$/m);
  });

  it('names a SaaS CRM, its base URL and the variables, never the token; and says when there is no mail catcher', () => {
    const block = readyBlock(running({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret', HUBSPOT_BASE_URL: 'http://127.0.0.1:4010' }, { missing: "Cannot find module 'smtp-server'" }));
    assert.match(block, /^CRM: +hubspot at http:\/\/127\.0\.0\.1:4010 through the store's outbox \(credentials from HUBSPOT_ACCESS_TOKEN\)/m);
    assert.doesNotMatch(block, /pat-na1-secret/);
    assert.match(block, /^Mail: +no mail catcher, so no message templates: they need the smtp-server and mailparser packages.*Cannot find module 'smtp-server'/m);
  });
});
