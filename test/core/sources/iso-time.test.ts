import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTimeOf, sentAtOr } from '../../../nodes/core/sources/iso-time';

/** What isoTimeOf stands for. */
function viaDate(text: string): string | undefined {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('isoTimeOf: new Date(text).toISOString() without the Date where the text is already that', () => {
  it('every day of leap and common years, and the days that do not exist, as Date reads them', () => {
    let checked = 0;
    for (const year of [0, 1900, 2000, 2023, 2024, 2026, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T10:00:00.000Z`;
          assert.equal(isoTimeOf(text), viaDate(text), text);
          checked++;
        }
      }
    }
    assert.equal(checked, 7 * 14 * 33);
  });

  it('times at and past the ends of the clock, and the forms Date reads otherwise', () => {
    const texts: string[] = [];
    for (const [h, m, s] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [24, 0, 1], [23, 60, 0], [23, 59, 60], [99, 0, 0]]) {
      texts.push(`2026-03-14T${pad(h!)}:${pad(m!)}:${pad(s!)}.999Z`);
    }
    texts.push(
      '2026-03-14T10:00:00Z', '2026-03-14T10:00:00.1Z', '2026-03-14T10:00:00.000+01:00', '2026-03-14T10:00:00.000z', '2026-03-14 10:00:00.000Z',
      ' 2026-03-14T10:00:00.000Z', '2026-03-14T10:00:00.000Z ', '+002026-03-14T10:00:00.000Z', '2026-03-14', 'not a time', '', '2026-03-14T10:00:00.0000Z',
    );
    for (const text of texts) assert.equal(isoTimeOf(text), viaDate(text), JSON.stringify(text));
  });
});

describe('sentAtOr: a notification\'s own time, else now', () => {
  const clock = { now: () => new Date('2026-12-07T01:00:00.000Z') };
  it('reads ISO text (trimmed) and epoch milliseconds, and falls back on the clock for anything else', () => {
    assert.equal(sentAtOr('2024-06-14T09:00:01+02:00', clock), '2024-06-14T07:00:01.000Z');
    assert.equal(sentAtOr(' 2024-06-14T09:00:01.000Z ', clock), '2024-06-14T09:00:01.000Z');
    assert.equal(sentAtOr(1718271001000, clock), '2024-06-13T09:30:01.000Z');
    for (const none of [undefined, null, '', 'not a time', 1.5, Number.NaN, 8.64e15 + 1, '1718271001000', {}]) {
      assert.equal(sentAtOr(none, clock), '2026-12-07T01:00:00.000Z', JSON.stringify(none));
    }
  });
});
