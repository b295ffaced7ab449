import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonPathSyntaxError, parseJsonPath, readJsonPath } from '../../../nodes/core/sources/json-path';

const read = (value: unknown, path: string) => readJsonPath(value, parseJsonPath(path));

describe('JSON path reader', () => {
  const doc = {
    data: { object: { id: 'evt_1', 'odd key': { v: 2 }, "it's": 3 } },
    items: [{ amount: 100 }, { amount: 250, card: { last4: '4242' } }],
    zero: 0,
    no: false,
  };

  it('reads members and indexes, with or without the leading $', () => {
    assert.equal(read(doc, '$.data.object.id'), 'evt_1');
    assert.equal(read(doc, 'data.object.id'), 'evt_1');
    assert.equal(read(doc, 'items[1].amount'), 250);
    assert.equal(read(doc, '$.items[1].card.last4'), '4242');
    assert.equal(read(doc, "$.data.object['odd key'].v"), 2);
    assert.equal(read(doc, '$.data.object["it\'s"]'), 3);
    assert.equal(read(doc, "$['data']['object']['it\\'s']"), 3);
    assert.equal(read(doc, '$.zero'), 0);
    assert.equal(read(doc, '$.no'), false);
    assert.deepEqual(read(doc, '$'), doc);
  });

  it('returns undefined for anything missing, out of range or of the wrong shape', () => {
    assert.equal(read(doc, '$.data.missing.id'), undefined);
    assert.equal(read(doc, '$.items[2].amount'), undefined);
    assert.equal(read(doc, '$.items.amount'), undefined);
    assert.equal(read(doc, '$.data[0]'), undefined);
    assert.equal(read(null, '$.a'), undefined);
    assert.equal(read('text', '$.length'), undefined);
  });

  it('never reaches into the prototype chain', () => {
    assert.equal(read(doc, '$.constructor'), undefined);
    assert.equal(read(doc, '$.data.__proto__'), undefined);
    assert.equal(read(doc, '$.items.length'), undefined);
    assert.equal(read({}, '$.toString'), undefined);
  });

  it('refuses what is not a simple path, saying where', () => {
    for (const [path, why] of [
      ['', /it is empty/],
      ['$.a..b', /a name must follow "\."/],
      ['$.items[*]', /brackets hold an index such as \[0\] or a quoted name/],
      ['$.items[-1]', /brackets hold an index/],
      ['$.a[?(@.x)]', /brackets hold an index/],
      ['$a', /expected "\." or "\["/],
      ["$['unterminated]", /brackets hold/],
    ] as const) {
      assert.throws(() => parseJsonPath(path), (e: unknown) => e instanceof JsonPathSyntaxError && why.test(e.message), path);
    }
  });
});
