import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jaro, jaroWinkler, withinOneEdit } from '../../../nodes/core/match/jaro-winkler';
import { nicknamesAgree } from '../../../nodes/core/match/nicknames';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 0.001, `${a} ≉ ${b}`);

describe('string similarity for names', () => {
  it('gives the published Jaro and Jaro–Winkler values', () => {
    close(jaro('martha', 'marhta'), 0.944);
    close(jaroWinkler('martha', 'marhta'), 0.961);
    close(jaroWinkler('dwayne', 'duane'), 0.84);
    close(jaroWinkler('dixon', 'dicksonx'), 0.813);
    assert.equal(jaroWinkler('same', 'same'), 1);
    assert.equal(jaroWinkler('abc', 'xyz'), 0);
    assert.equal(jaroWinkler('', 'x'), 0);
  });

  it('tells one typo from two', () => {
    assert.ok(withinOneEdit('jonathan', 'jonathon'));
    assert.ok(withinOneEdit('smith', 'smiht'));
    assert.ok(withinOneEdit('smith', 'smth'));
    assert.ok(!withinOneEdit('smith', 'smyht'));
  });

  it('knows nicknames and spelling variants, and that a name is not its cousin in another language', () => {
    assert.ok(nicknamesAgree('bill', 'william'));
    assert.ok(nicknamesAgree('liz', 'elizabeth'));
    assert.ok(nicknamesAgree('sasha', 'alexander'));
    assert.ok(!nicknamesAgree('john', 'ian'));
    assert.ok(!nicknamesAgree('mary', 'john'));
  });
});
