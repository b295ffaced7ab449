import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, ICredentialTestFunction, INodeType } from 'n8n-workflow';
import { closeAllDatabases } from '../../nodes/core/store/open-database';
import { StripeTerminalApi } from '../../credentials/StripeTerminalApi.credentials';
import { SendToTerminal } from '../../nodes/n8n/SendToTerminal/SendToTerminal.node';
import { TerminalPollTrigger } from '../../nodes/n8n/TerminalPollTrigger/TerminalPollTrigger.node';
import { TerminalCrmStore } from '../../credentials/TerminalCrmStore.credentials';
import { TerminalSquareApi } from '../../credentials/TerminalSquareApi.credentials';
import { TerminalZettleApi } from '../../credentials/TerminalZettleApi.credentials';
import { tempDir, TEST_TOKEN_KEYS } from '../support/temp-store';
import { additionalData } from './support/additional-data';
import { packageNodeTypes, PACKAGE } from './support/package-node-types';

/** Finds a credential's test the way n8n's CredentialsTester does: through a node that names it in testedBy. */
function nodeProvidedTest(credentialName: string): ICredentialTestFunction {
  for (const name of ['tokenize', 'matchCustomer', 'crmUpsert']) {
    const node = packageNodeTypes().getByName(`${PACKAGE}.${name}`) as INodeType;
    const ref = node.description.credentials?.find((c) => c.name === credentialName);
    assert.equal(typeof ref?.testedBy, 'string', `${name} names a test for ${credentialName}`);
    const fn = node.methods?.credentialTest?.[ref!.testedBy as string];
    assert.equal(typeof fn, 'function', `${name} provides ${String(ref!.testedBy)}`);
    return fn!;
  }
  throw new Error('unreachable');
}

describe('n8n: credential tests', () => {
  const dir = tempDir('tcrm-credtest-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });
  const test = (data: ICredentialDataDecryptedObject) =>
    nodeProvidedTest('terminalCrmStore').call(new CredentialTestContext(additionalData({})), { id: '1', name: 'Store', type: 'terminalCrmStore', data });

  it('Terminal CRM Store: opens (and creates) the store and reports the keys and region', async () => {
    const path = join(dir.path, 'new', 'store.db');
    const result = await test({ storeUrl: path, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'gb' });
    assert.equal(result.status, 'OK', result.message);
    assert.equal(result.message, `Store ready at ${path}; 1 token key(s), current "k1"; region GB`);
    assert.ok(existsSync(path));
  });

  it('Terminal CRM Store: names the field and the fix when something is wrong', async () => {
    const ok = { storeUrl: join(dir.path, 's.db'), tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' };
    assert.deepEqual(await test({ ...ok, tokenKeys: '' }), {
      status: 'Error',
      message: 'Token Keys: no tokenization key is configured. Fix: set it to k1:<secret>, where the secret comes from `openssl rand -hex 32`',
    });
    assert.match((await test({ ...ok, defaultRegion: 'Germany' })).message, /^Default Region: "Germany" is not an ISO 3166 country code\. Fix: /);
    // Port 1 on loopback: nothing listens there, so the store cannot be opened.
    assert.match((await test({ ...ok, storeUrl: 'postgres://crm:secret@127.0.0.1:1/crm' })).message, /^Store Location: cannot open the Postgres store .*nothing accepts connections at 127\.0\.0\.1:1\. Fix: start the Postgres server/);
    assert.doesNotMatch((await test({ ...ok, storeUrl: 'postgres://crm:secret@127.0.0.1:1/crm' })).message, /secret/);
  });

  it('webhook-only source credentials: the Test button checks the fields through the trigger, naming what is wrong', async () => {
    const trigger = packageNodeTypes().getByName(`${PACKAGE}.terminalTrigger`) as INodeType;
    const ref = trigger.description.credentials?.find((c) => c.name === 'terminalAdyenWebhookApi');
    const fn = trigger.methods!.credentialTest![ref!.testedBy as string]!;
    const run = (data: ICredentialDataDecryptedObject) =>
      fn.call(new CredentialTestContext(additionalData({})), { id: '2', name: 'Adyen', type: 'terminalAdyenWebhookApi', data });
    const good = await run({ hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056' });
    assert.equal(good.status, 'OK', good.message);
    const missing = await run({ hmacKey: '' });
    assert.equal(missing.status, 'Error');
    assert.match(missing.message, /^HMAC Key: no Adyen HMAC key is configured.*\. Fix: fill in HMAC Key in this credential$/);
    assert.equal(trigger.description.credentials?.find((c) => c.name === 'terminalCrmStore')?.testedBy, 'terminalCrmStoreTest');
  });

  it('Stripe Terminal API: a signing secret alone passes and says so; a secret key is checked against Stripe with a Bearer header (both nodes that use it)', async () => {
    const cred = new StripeTerminalApi();
    assert.equal((cred as { test?: unknown }).test, undefined, 'no request test on the credential: it would fail a signing-secret-only credential');
    assert.equal(cred.authenticate.properties.headers?.Authorization, '=Bearer {{$credentials.secretKey}}');
    assert.equal(new TerminalCrmStore().properties.find((p) => p.name === 'tokenKeys')?.typeOptions?.password, true);
    for (const [nodeName, node] of [['terminalTrigger', packageNodeTypes().getByName(`${PACKAGE}.terminalTrigger`) as INodeType], ['sendToTerminal', new SendToTerminal()]] as const) {
      const ref = node.description.credentials?.find((c) => c.name === 'stripeTerminalApi');
      assert.equal(ref?.testedBy, 'stripeCredentialTest', nodeName);
      assert.equal(typeof node.methods?.credentialTest?.stripeCredentialTest, 'function', nodeName);
    }
    const trigger = packageNodeTypes().getByName(`${PACKAGE}.terminalTrigger`) as INodeType;
    const run = (data: ICredentialDataDecryptedObject) =>
      trigger.methods!.credentialTest!.stripeCredentialTest!.call(new CredentialTestContext(additionalData({})), { id: '3', name: 'Stripe', type: 'stripeTerminalApi', data });

    const signingOnly = await run({ signingSecret: 'whsec_test_123', secretKey: '' });
    assert.equal(signingOnly.status, 'OK');
    assert.match(signingOnly.message, /first signed delivery is the real check/);
    assert.match((await run({ signingSecret: 'sk_test_oops' })).message, /^Webhook Signing Secret: .*Fix: copy the one starting with whsec_/);
    assert.match((await run({})).message, /both empty\. Fix: /);

    const nock = (await import('nock')).default;
    const ok = nock('https://api.stripe.com', { reqheaders: { authorization: 'Bearer sk_test_good' } }).get('/v1/balance').reply(200, { object: 'balance', available: [], livemode: false, pending: [] });
    assert.equal((await run({ secretKey: 'sk_test_good' })).status, 'OK');
    assert.ok(ok.isDone());
    // Stripe's answer to a wrong key: 401 with its error object.
    nock('https://api.stripe.com').get('/v1/balance').reply(401, { error: { message: 'Invalid API Key provided: sk_test_****', type: 'invalid_request_error' } });
    const refused = await run({ secretKey: 'sk_test_bad', signingSecret: 'whsec_x' });
    assert.equal(refused.status, 'Error');
    assert.match(refused.message, /^Stripe refused the secret key \(HTTP 401: Invalid API Key provided: sk_test_\*\*\*\*\)\. Fix: /);
  });

  it('Square and Zettle: a webhook-only credential (no Access Token, which is optional) passes its Test and says so; a token is checked against the vendor (every node that uses them)', async () => {
    for (const cred of [new TerminalSquareApi(), new TerminalZettleApi()]) {
      assert.equal((cred as { test?: unknown }).test, undefined, `${cred.name}: no request test on the credential, it would send "Bearer " for a webhook-only credential and fail`);
    }
    const users: Array<[string, INodeType]> = [
      ['terminalTrigger', packageNodeTypes().getByName(`${PACKAGE}.terminalTrigger`) as INodeType],
      ['terminalPollTrigger', new TerminalPollTrigger()],
      ['sendToTerminal', new SendToTerminal()],
    ];
    for (const [nodeName, node] of users) {
      for (const ref of node.description.credentials?.filter((c) => c.name === 'terminalSquareApi' || c.name === 'terminalZettleApi') ?? []) {
        assert.equal(typeof ref.testedBy, 'string', `${nodeName} names a test for ${ref.name}`);
        assert.equal(typeof node.methods?.credentialTest?.[ref.testedBy as string], 'function', `${nodeName} provides ${String(ref.testedBy)}`);
      }
    }
    const trigger = users[0]![1];
    const run = (type: string, data: ICredentialDataDecryptedObject) => {
      const ref = trigger.description.credentials!.find((c) => c.name === type)!;
      return trigger.methods!.credentialTest![ref.testedBy as string]!.call(new CredentialTestContext(additionalData({})), { id: '4', name: type, type, data });
    };

    const squareWebhookOnly = await run('terminalSquareApi', { signatureKey: 'sig-key', notificationUrl: '', accessToken: '', baseUrl: 'https://connect.squareup.com' });
    assert.equal(squareWebhookOnly.status, 'OK', squareWebhookOnly.message);
    assert.match(squareWebhookOnly.message, /first signed delivery is the real check/);
    const zettleWebhookOnly = await run('terminalZettleApi', { signingKey: 'zettle-key', accessToken: '' });
    assert.equal(zettleWebhookOnly.status, 'OK', zettleWebhookOnly.message);
    // What reads with a token, by the credential's own fields: Send to Terminal pushes to Square, never to Zettle, and
    // Zettle reads purchases with an API key (or a short-lived access token).
    assert.match(squareWebhookOnly.message, /\(polling and Send to Terminal need an Access Token\)$/);
    assert.equal(zettleWebhookOnly.message, 'Signing Key only: nothing to call Zettle with, so its first signed delivery is the real check (polling and refunds paid back in cash need an API Key with Client ID, or an Access Token)');
    const zettleEmpty = await run('terminalZettleApi', { signingKey: '', apiKey: '', accessToken: '' });
    assert.equal(zettleEmpty.message, "Signing Key, API Key and Access Token are all empty. Fix: paste the webhook subscription's Signing Key for the trigger; polling and refunds paid back in cash need an API Key with Client ID, or an Access Token");
    const empty = await run('terminalSquareApi', { signatureKey: '', accessToken: '', baseUrl: '' });
    assert.equal(empty.status, 'Error');
    assert.match(empty.message, /^Webhook Signature Key and Access Token are both empty\. Fix: /);
    const badUrl = await run('terminalSquareApi', { signatureKey: 'sig-key', notificationUrl: 'hooks.example.com/sq', accessToken: '' });
    assert.equal(badUrl.status, 'Error');
    assert.match(badUrl.message, /^Notification URL: .*is not a usable URL: it has no scheme/);

    const nock = (await import('nock')).default;
    const square = nock('https://connect.squareupsandbox.com', { reqheaders: { authorization: 'Bearer EAAA-good' } }).get('/v2/locations').reply(200, { locations: [] });
    assert.equal((await run('terminalSquareApi', { signatureKey: '', accessToken: 'EAAA-good', baseUrl: 'https://connect.squareupsandbox.com/' })).status, 'OK');
    assert.ok(square.isDone());
    nock('https://connect.squareup.com').get('/v2/locations').reply(401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] });
    const refused = await run('terminalSquareApi', { signatureKey: 'sig-key', accessToken: 'EAAA-bad', baseUrl: '' });
    assert.equal(refused.status, 'Error');
    assert.match(refused.message, /^Square refused the Access Token \(HTTP 401: This request could not be authorized\.\)\. Fix: /);
    const zettle = nock('https://purchase.izettle.com', { reqheaders: { authorization: 'Bearer z-good' } }).get('/purchases/v2').query({ limit: 1 }).reply(200, { purchases: [] });
    assert.equal((await run('terminalZettleApi', { signingKey: '', accessToken: 'z-good' })).status, 'OK');
    assert.ok(zettle.isDone());

    // An API key: Zettle is asked for a token with it (the assertion grant), and the token reads a purchase.
    const CLIENT = '6adde977-c34d-4de1-99b2-f6ed3e65431a';
    const oauth = nock('https://oauth.zettle.com')
      .post('/token', (b: Record<string, string>) => b.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && b.client_id === CLIENT && b.assertion === 'key-good')
      .reply(200, { access_token: 'from-key', expires_in: 7200 });
    const read = nock('https://purchase.izettle.com', { reqheaders: { authorization: 'Bearer from-key' } }).get('/purchases/v2').query({ limit: 1 }).reply(200, { purchases: [] });
    const keyed = await run('terminalZettleApi', { signingKey: 'zettle-key', apiKey: 'key-good', clientId: CLIENT, accessToken: '' });
    assert.deepEqual([keyed.status, keyed.message], ['OK', 'Zettle accepted the API Key']);
    assert.ok(oauth.isDone() && read.isDone());
    nock('https://oauth.zettle.com').post('/token').reply(400, { error: 'invalid_grant' });
    const revoked = await run('terminalZettleApi', { signingKey: 'zettle-key', apiKey: 'key-revoked', clientId: CLIENT, accessToken: '' });
    assert.equal(revoked.status, 'Error');
    assert.match(revoked.message, /Zettle did not issue an access token for the API key \(invalid_grant\).*Fix: ask the merchant for a new API key/);
  });

  it('Zettle: the credential exchanges its API key for the token n8n signs requests with, and signs with the Access Token when there is no key', async () => {
    const cred = new TerminalZettleApi();
    const sent: Array<Record<string, unknown>> = [];
    const helper = { helpers: { httpRequest: async (o: Record<string, unknown>) => { sent.push(o); return { access_token: 'session-1', expires_in: 7200 }; } } };
    const data = await cred.preAuthentication!.call(helper as never, { apiKey: ' key-1 ', clientId: 'client-1' });
    assert.deepEqual(data, { sessionToken: 'session-1' });
    assert.equal(sent[0]!.url, 'https://oauth.zettle.com/token');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(String(sent[0]!.body))), { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: 'client-1', assertion: 'key-1' });
    assert.deepEqual(await cred.preAuthentication!.call(helper as never, { accessToken: 'tok' }), { sessionToken: '' }, 'no key: nothing to exchange');
    assert.equal(sent.length, 1);
    assert.equal(cred.authenticate.properties.headers!.Authorization, '=Bearer {{$credentials.apiKey ? $credentials.sessionToken : $credentials.accessToken}}');
  });
});
