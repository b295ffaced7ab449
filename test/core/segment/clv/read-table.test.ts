import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { csvSeparatorOf } from '../../../../nodes/core/format/csv';
import { formatOf, parseWhen, readTable, type TableFormat } from '../../../../nodes/core/segment/clv/read-table';
import { tempDir } from '../../../support/temp-store';

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

describe('readTable: the layouts sales histories are published in', () => {
  const dir = tempDir('tcrm-table-');
  after(() => dir.remove());
  const rows = async (text: string, format: TableFormat) => {
    const path = join(dir.path, `t${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, text);
    const out: Record<string, string>[] = [];
    for await (const { row } of readTable(path, format)) out.push(row);
    return out;
  };

  it('names a path it cannot read, or a folder, as the file to fix', async () => {
    const read = async (path: string) => {
      for await (const _ of readTable(path, 'csv')) void _;
    };
    await assert.rejects(read(join(dir.path, 'missing.csv')), /^InputError: <file>: cannot read .*missing\.csv \(ENOENT\)\. Fix: check the path/);
    await assert.rejects(read(dir.path), /^InputError: <file>: cannot read .* \(EISDIR\)/);
  });

  it('a CSV separated by semicolons or tabs, as spreadsheets in many locales export it, by its header', async () => {
    assert.deepEqual(await rows('\uFEFFcustomer_id;date;amount\nc1;2025-03-01;"12;50"\n', 'csv'), [{ customer_id: 'c1', date: '2025-03-01', amount: '12;50' }]);
    assert.deepEqual(await rows('Invoice\tCustomer ID\tPrice\n536365\t17850\t2.55\n', 'csv'), [{ Invoice: '536365', 'Customer ID': '17850', Price: '2.55' }]);
    // A comma inside quotes does not make a semicolon file a comma one.
    assert.deepEqual(await rows('"name, full";id\n"Ben, O.";7\n', 'csv'), [{ 'name, full': 'Ben, O.', id: '7' }]);
    assert.equal(csvSeparatorOf('a,b;c,d'), ',');
  });

  it('a file of blank-separated columns (the CDNOW files), each named by its position', async () => {
    assert.deepEqual(await rows(' 00004 0001 19970101  2   29.33\n\n00004 0001 19970118  2   29.73\r\n', 'columns'), [
      { 1: '00004', 2: '0001', 3: '19970101', 4: '2', 5: '29.33' },
      { 1: '00004', 2: '0001', 3: '19970118', 4: '2', 5: '29.73' },
    ]);
    // With a header line (no cell a number), as the lifetimes package ships CDNOW_master.txt: names work too.
    assert.deepEqual(await rows(' customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n', 'columns'), [
      { 1: '00001', 2: '19970101', 3: '1', 4: '11.77', customer_id: '00001', date: '19970101', number_of_cds: '1', dollar_value: '11.77' },
    ]);
    assert.equal(formatOf('CDNOW_master.txt', 'columns'), 'columns');
    assert.throws(() => formatOf('sales.csv', 'xlsx'), /"xlsx" is not a format.*csv, jsonl or columns/);
  });
});
