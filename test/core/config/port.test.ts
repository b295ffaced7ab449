import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portOf, PORT_PATTERN } from '../../../nodes/core/config/port';

describe('a TCP port as typed (config/port.ts, the one rule)', { timeout: 5_000 }, () => {
  const table: Array<[string, number | RegExp]> = [
    ['80', 80],
    ['1', 1],
    ['65535', 65535],
    ['0', /port 0/],
    ['65536', /above 65535/],
    ['99999', /above 65535/],
    ['080', /starts with a zero/],
    ['0x50', /digits alone/],
    ['1e3', /digits alone/],
    [' 80', /digits alone/],
    ['', /empty/],
    ['-1', /digits alone/],
    ['+80', /digits alone/],
    ['80.0', /digits alone/],
  ];
  for (const [typed, expected] of table) {
    it(JSON.stringify(typed), () => {
      const reading = portOf(typed);
      if (typeof expected === 'number') {
        assert.deepEqual(reading, { port: expected });
      } else {
        assert.equal(reading.port, undefined);
        assert.match(reading.reason!, expected);
      }
    });
  }

  it('its pattern, inside other text, takes exactly the ports portOf takes', () => {
    const inside = new RegExp(`^host:${PORT_PATTERN}$`);
    for (let n = 0; n <= 70_000; n += 1) {
      for (const typed of [String(n), `0${n}`]) assert.equal(inside.test(`host:${typed}`), portOf(typed).port !== undefined, typed);
    }
  });
});
