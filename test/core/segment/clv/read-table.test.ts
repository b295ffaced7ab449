import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseWhen } from '../../../../nodes/core/segment/clv/read-table';

const iso = (text: string) => {
  const ms = parseWhen(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'NaN';
};

describe('parseWhen: the time of an exported sale', () => {
  // A purchase day must not depend on the machine's zone: read far from UTC, a wall-clock time is still UTC.
  const zone = process.env.TZ;
  before(() => {
    process.env.TZ = 'Pacific/Kiritimati';
  });
  after(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads the public datasets\' and the usual export formats, a time without a zone as UTC', () => {
    assert.deepEqual(
      ['12/1/2010 8:26', '1/5/2011', '2009-12-01 07:45:00', '2025-03-01', '2025/3/1 9:05', '20250301', '2025-03-01T10:00:00', '2025-03-01T10:00:00.250Z', '2025-03-01T10:00:00+01:00', '2025-03-01 10:00:00-05:00', '1700000000', '1700000000123'].map(iso),
      [
        '2010-12-01T08:26:00.000Z', '2011-01-05T00:00:00.000Z', '2009-12-01T07:45:00.000Z', '2025-03-01T00:00:00.000Z', '2025-03-01T09:05:00.000Z',
        '2025-03-01T00:00:00.000Z', '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.250Z', '2025-03-01T09:00:00.000Z', '2025-03-01T15:00:00.000Z',
        '2023-11-14T22:13:20.000Z', '2023-11-14T22:13:20.123Z',
      ],
    );
  });

  it('refuses a date the calendar lacks instead of rolling it into the next month, and anything else', () => {
    assert.deepEqual(['2/29/2011 1:00', '2025-02-30', '20250231', '12/1/2010 24:00', '13/1/2010', 'yesterday', 'Mar 1, 2025', ''].map(iso), Array(8).fill('NaN'));
    assert.equal(iso('2/29/2012 1:00'), '2012-02-29T01:00:00.000Z');
  });
});
