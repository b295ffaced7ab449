import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';

describe('a loyalty program as an operator writes it', () => {
  it('refuses a misspelt setting at any level, naming it and the settings that level takes', () => {
    const cases: [unknown, RegExp][] = [
      [{ currency: 'USD', pointsPerUnit: 2 }, /^InputError: loyaltyProgram\.pointsPerUnit: is not a setting of a loyalty program\. Fix: use one of: id, name, currency, enrollment, points, tiers/],
      [{ currency: 'USD', points: { per_unit: 2 } }, /^InputError: loyaltyProgram\.points\.per_unit: .* use one of: perUnit, expiryDays$/],
      [{ currency: 'USD', enrollment: { visit: 3 } }, /^InputError: loyaltyProgram\.enrollment\.visit: .* use one of: lifetimeSpendMinor, visits, periodSpend, rule$/],
      [{ currency: 'USD', enrollment: { periodSpend: { minor: 100, day: 30 } } }, /^InputError: loyaltyProgram\.enrollment\.periodSpend\.day: .* use one of: minor, days$/],
      [{ currency: 'USD', tiers: [{ name: 'Gold', minSpendMinor: 100, mult: 2 }] }, /^InputError: loyaltyProgram\.tiers\.0\.mult: .* use one of: name, minSpendMinor, multiplier$/],
    ];
    for (const [input, shape] of cases) assert.throws(() => parseLoyaltyProgram(input), shape);
  });

  it('refuses a currency no payment is in, which would never earn a point', () => {
    assert.throws(() => parseLoyaltyProgram({ currency: 'UDS' }), /^InputError: loyaltyProgram\.currency: is not an ISO 4217 currency code/);
    assert.equal(parseLoyaltyProgram({ currency: 'isk', points: { perUnit: 2 } }).currency, 'ISK');
    assert.equal(parseLoyaltyProgram('{"currency": "EUR", "tiers": [{"name": "Gold", "minSpendMinor": 50000}]}').tiers[0]!.multiplier, 1);
  });
});
