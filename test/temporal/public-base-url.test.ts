import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicBaseUrlFromEnv } from '../../temporal/public-base-url';

describe('TERMINAL_CRM_PUBLIC_URL', () => {
  it('is the base processors call, a path prefix kept and a trailing slash dropped; unset is the Host header', () => {
    assert.equal(publicBaseUrlFromEnv({}), undefined);
    assert.equal(publicBaseUrlFromEnv({ TERMINAL_CRM_PUBLIC_URL: ' https://pay.example.com/ ' }), 'https://pay.example.com');
    assert.equal(publicBaseUrlFromEnv({ TERMINAL_CRM_PUBLIC_URL: 'https://proxy.example.com/shop/' }), 'https://proxy.example.com/shop');
  });

  it('refuses what is not one (Square signs the full URL, so every delivery would fail)', () => {
    for (const bad of ['notaurl', 'pay.example.com', 'ftp://pay.example.com', 'https://pay.example.com/?a=1', 'https://pay.example.com/#x']) {
      assert.throws(() => publicBaseUrlFromEnv({ TERMINAL_CRM_PUBLIC_URL: bad }), /^InputError: TERMINAL_CRM_PUBLIC_URL: .* is not a base URL: it .*\. Fix: give the address processors call/, bad);
    }
  });
});
