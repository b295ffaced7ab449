import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { createTerminalPush } from '../../../nodes/core/terminal-push/create-terminal-push';
import { attributionFrom, squareNote } from '../../../nodes/core/terminal-push/push-metadata';
import { parsePushSettings, pushSettingsFromEnv } from '../../../nodes/core/terminal-push/push-settings';
import { SaleRequestSchema } from '../../../nodes/core/terminal-push/terminal-push';

describe('terminal push settings', () => {
  it('fills in each vendor default base URL and keeps the credential', () => {
    assert.deepEqual(parsePushSettings('stripe', { secretKey: 'sk_test_abc' }), { secretKey: 'sk_test_abc', baseUrl: 'https://api.stripe.com', timeoutMs: 30_000 });
    assert.deepEqual(parsePushSettings('square', { accessToken: 'EAAA-x', baseUrl: 'https://connect.squareupsandbox.com/' }), {
      accessToken: 'EAAA-x', baseUrl: 'https://connect.squareupsandbox.com', apiVersion: '2026-09-16', timeoutMs: 30_000,
    });
    assert.deepEqual(parsePushSettings('adyen', { apiKey: 'AQE-key', baseUrl: '' }), {
      apiKey: 'AQE-key', baseUrl: 'https://terminal-api-test.adyen.com', saleId: 'terminal-crm', timeoutMs: 160_000,
    });
  });

  it('names the missing or wrong setting and the environment variable that sets it', () => {
    assert.throws(() => parsePushSettings('stripe', { secretKey: 'pk_test_publishable' }), (e) => e instanceof InputError && e.field === 'secretKey' && /STRIPE_SECRET_KEY/.test(e.message));
    assert.throws(() => parsePushSettings('square', {}), (e) => e instanceof InputError && e.field === 'accessToken' && /SQUARE_ACCESS_TOKEN/.test(e.message));
    assert.throws(() => parsePushSettings('adyen', { apiKey: 'k', baseUrl: 'terminal-api-live' }), (e) => e instanceof InputError && e.field === 'baseUrl' && /terminal-api-live\.adyen\.com/.test(e.message));
  });

  it('reads the environment variables of the sandbox and the worker', () => {
    const env = { ADYEN_API_KEY: 'AQE-live', ADYEN_TERMINAL_API_URL: 'https://terminal-api-live.adyen.com', SQUARE_ACCESS_TOKEN: 'EAAA-y', SQUARE_BASE_URL: ' ' };
    assert.equal(pushSettingsFromEnv('adyen', env).baseUrl, 'https://terminal-api-live.adyen.com');
    assert.equal(pushSettingsFromEnv('square', env).baseUrl, 'https://connect.squareup.com');
    assert.throws(() => pushSettingsFromEnv('stripe', env), (e) => e instanceof InputError && e.field === 'STRIPE_SECRET_KEY');
  });

  it('creates the adapter per vendor, and refuses an unknown vendor or unusable settings', () => {
    const http = axiosTransport();
    assert.equal(createTerminalPush('adyen', { http, settings: { apiKey: 'AQE-key' } }).vendor, 'adyen');
    assert.equal(createTerminalPush('stripe', { http, settings: { secretKey: 'rk_live_abc' } }).vendor, 'stripe');
    assert.throws(() => createTerminalPush('clover', { http, settings: {} }), (e) => e instanceof InputError && e.field === 'vendor' && /stripe, square, adyen/.test(e.message));
    assert.throws(() => createTerminalPush('square', { http, settings: {} }), (e) => e instanceof InputError && e.field === 'accessToken');
  });
});

describe('sale request', () => {
  it('refuses a zero amount and a float amount', () => {
    const base = { readerId: 'tmr_1', customerId: 'cus_1', reference: 'deal-1' };
    assert.equal(SaleRequestSchema.safeParse({ ...base, amount: { minor: 0, currency: 'USD' } }).success, false);
    assert.equal(SaleRequestSchema.safeParse({ ...base, amount: { minor: 12.5, currency: 'USD' } }).success, false);
    assert.deepEqual(SaleRequestSchema.parse({ ...base, amount: { minor: 1250, currency: 'usd' } }).amount, { minor: 1250, currency: 'USD' });
  });
});

describe('attribution read back from a pushed payment', () => {
  const sale = SaleRequestSchema.parse({
    amount: { minor: 1250, currency: 'USD' }, readerId: 'dev-1', customerId: 'cus_A', crmRecordId: 'Deal 7 [VIP]', reference: 'deal-7', description: 'x'.repeat(490),
  });

  it('keeps the tags whole in a Square note and cuts the description instead', () => {
    const note = squareNote(sale, 500)!;
    assert.equal(note.length <= 500, true);
    assert.ok(note.startsWith('xxx'));
    assert.deepEqual(attributionFrom({ note }), { customerId: 'cus_A', crmRecordId: 'Deal 7 [VIP]', reference: 'deal-7' });
  });

  it('reads Stripe metadata, Adyen additionalData and says nothing for a payment the pack did not push', () => {
    assert.deepEqual(attributionFrom({ metadata: { terminal_crm_customer_id: 'cus_A', terminal_crm_record_id: 'deal-7' } }), { customerId: 'cus_A', crmRecordId: 'deal-7' });
    assert.deepEqual(attributionFrom({ metadata: { tcrm_customer_id: 'cus_B' } }), { customerId: 'cus_B' });
    assert.equal(attributionFrom({ metadata: { reader_id: 'tmr_1' }, note: 'Cut and colour' }), undefined);
  });
});
