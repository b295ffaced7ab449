import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOYALTY_PROGRAM_JSON, loyaltyProgramFromJson, loyaltyProgramFromSettings } from '../../../nodes/core/loyalty/operator-settings';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';

/** The editors' field defaults (n8n and Node-RED show the same). */
const EDITOR_DEFAULTS = {
  programId: 'default',
  currency: 'USD',
  enrollWhen: 'firstPayment',
  pointsPerUnit: 1,
  pointsExpiryDays: 0,
  tiers: [
    { name: 'Silver', minSpend: 500, multiplier: 1 },
    { name: 'Gold', minSpend: 2000, multiplier: 1.5 },
  ],
  tierWindowDays: 365,
  tierField: 'loyalty_tier',
  pointsField: 'loyalty_points',
  memberSinceField: 'loyalty_member_since',
};

describe('Loyalty program settings as the editors show them', () => {
  it('the default fields and the default JSON are the same program', () => {
    const fromFields = loyaltyProgramFromSettings(EDITOR_DEFAULTS);
    assert.deepEqual(fromFields, parseLoyaltyProgram(DEFAULT_LOYALTY_PROGRAM_JSON));
    assert.deepEqual(loyaltyProgramFromJson(''), fromFields);
    assert.deepEqual(fromFields.enrollment, { rule: 'any' }, 'members from the first payment');
  });

  it('converts threshold amounts to minor units and sorts tiers entered in any order', () => {
    const program = loyaltyProgramFromSettings({
      ...EDITOR_DEFAULTS,
      currency: 'eur',
      enrollWhen: 'threshold',
      enrollLifetimeSpend: '99.5',
      enrollVisits: 0,
      enrollPeriodSpend: 200,
      enrollPeriodDays: 30,
      enrollRule: 'all',
      pointsExpiryDays: 365,
      tiers: [{ name: 'Gold', minSpend: 1000, multiplier: 2 }, { name: 'Bronze', minSpend: 0 }],
      tierField: '',
    });
    assert.equal(program.currency, 'EUR');
    assert.deepEqual(program.enrollment, { lifetimeSpendMinor: 9950, periodSpend: { minor: 20_000, days: 30 }, rule: 'all' });
    assert.deepEqual(program.points, { perUnit: 1, expiryDays: 365 });
    assert.deepEqual(program.tiers, [{ name: 'Bronze', minSpendMinor: 0, multiplier: 1 }, { name: 'Gold', minSpendMinor: 100_000, multiplier: 2 }]);
    assert.equal(program.crmFields.tier, null, 'an empty field name is not written');
  });

  it('names the field and the fix for every kind of mistake', () => {
    const cases: Array<[object, RegExp]> = [
      [{ currency: '' }, /^Currency: "" is not a currency code\. Fix: /],
      [{ programId: 'My Club' }, /^Program ID: "My Club" has characters a program ID cannot have\. Fix: /],
      [{ enrollWhen: 'threshold' }, /^Enroll Customers: enrolls at a threshold, but no threshold is set\. Fix: set Enroll After Lifetime Spend/],
      [{ enrollWhen: 'threshold', enrollPeriodSpend: 100, enrollPeriodDays: 0 }, /^Period \(Days\): is not set\. Fix: /],
      [{ enrollWhen: 'threshold', enrollVisits: 2.5 }, /^Enroll After Visits: "2\.5" is not a whole number\. Fix: /],
      [{ tiers: [{ name: '', minSpend: 1 }] }, /^Tiers 1: Name: is empty\. Fix: /],
      [{ tiers: [{ name: 'A', minSpend: 5 }, { name: 'B', minSpend: 5 }] }, /^Tiers "B": Minimum Spend: is the same as another tier's/],
      [{ tiers: [{ name: 'A', minSpend: 'lots' }] }, /^Tiers "A": Minimum Spend: "lots" is not an amount/],
      [{ pointsPerUnit: -1 }, /^Points per Currency Unit: "-1" is not a number of 0 or more/],
    ];
    for (const [change, message] of cases) assert.throws(() => loyaltyProgramFromSettings({ ...EDITOR_DEFAULTS, ...change }), { message });
    assert.throws(() => loyaltyProgramFromJson('{"currency": "USD", "tiers": [{"name": "Gold"}]}'), { message: /^Program \(JSON\)\.tiers\.0\.minSpendMinor: .*Fix: / });
    assert.throws(() => loyaltyProgramFromJson('{'), { message: /^Program \(JSON\): is not valid JSON/ });
  });
});
