import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutText, fitRecord, RecordFitter, textUpTo, wholeUpTo } from '../../../../nodes/core/crm/saas/field-lengths';

const LIMITS = { LastName: textUpTo(10), Email: wholeUpTo(12) };

describe('field lengths: fitting a record to a CRM', () => {
  it('cuts a text at a grapheme boundary: a surrogate pair, an emoji sequence or a combining mark is never split', { timeout: 5_000 }, () => {
    assert.equal(cutText('Smith', 10), 'Smith');
    assert.equal(cutText('A'.repeat(9) + '😀xyz', 10), 'A'.repeat(9));
    assert.equal(cutText('A'.repeat(8) + '👩‍👧' + 'b', 10), 'A'.repeat(8));
    // "é" written as e + U+0301: the mark stays with its letter or both go.
    assert.equal(cutText('Ren' + 'e\u0301' + 'e\u0301e\u0301e\u0301e\u0301', 4), 'Ren');
    assert.equal(cutText('Ana Maria de la Cruz', 9), 'Ana Maria');
    assert.equal(cutText('Ana Maria de la Cruz', 10), 'Ana Maria', 'no trailing blank is kept');
    for (const s of ['A'.repeat(9) + '😀', 'Zoë'.repeat(20), '李'.repeat(30)]) assert.ok(cutText(s, 10).length <= 10);
  });

  it('cuts texts and leaves out whole values over the limit, by the CRM field name in any case, and says which', { timeout: 5_000 }, () => {
    const record: Record<string, unknown> = { lastname: 'Featherstonehaugh', EMAIL: 'someone.long@example.com', Phone: 'x'.repeat(99), Count: 5 };
    const notes = fitRecord(record, LIMITS, 'Salesforce');
    assert.deepEqual(record, { lastname: 'Feathersto', Phone: 'x'.repeat(99), Count: 5 });
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /^lastname cut to 10 characters/);
    assert.match(notes[1]!, /^EMAIL left out: 24 characters, over the 12 Salesforce takes/);
    assert.ok(!notes.join(' ').includes('someone.long'), 'a note never repeats the value');
  });

  it('a fitter keeps the notes record by record until they are taken, once each, and counts past twenty', { timeout: 5_000 }, () => {
    const fitter = new RecordFitter('Zoho', LIMITS);
    fitter.fit('cus_1', { LastName: 'Featherstonehaugh' });
    fitter.fit('cus_1', { LastName: 'Featherstonehaugh' });
    assert.deepEqual(fitter.take(), ['cus_1: LastName cut to 10 characters, the most Zoho takes (the pack keeps it whole)']);
    assert.deepEqual(fitter.take(), []);
    for (let i = 0; i < 25; i++) fitter.fit(`cus_${i}`, { LastName: 'Featherstonehaugh' });
    const notes = fitter.take();
    assert.equal(notes.length, 21);
    assert.equal(notes.at(-1), "… and 5 more field(s) fitted to Zoho's lengths");
  });

  it("an adapter call's fitting gives each written record its own notes, never another call's, and still tells notes()", { timeout: 5_000 }, () => {
    const fitter = new RecordFitter('Zoho', LIMITS);
    // Two calls under way at once (the drain's concurrent batches), each fitting its own records.
    const first = fitter.call();
    const second = fitter.call();
    first.fit('cus_1', { LastName: 'Featherstonehaugh', Email: 'someone.long@example.com' });
    first.fit('cus_2', { LastName: 'Ode' });
    second.fit('cus_3', { LastName: 'Cholmondeley-Smith' });
    first.fit('cus_4', { LastName: 'Abercrombie-Fitch' });
    const results = first.noted([
      { externalId: 'cus_1', status: 'synced', crmId: '1' },
      { externalId: 'cus_2', status: 'synced', crmId: '2' },
      { externalId: 'cus_4', status: 'rejected', reason: 'refused' },
    ]);
    assert.deepEqual(results, [
      {
        externalId: 'cus_1',
        status: 'synced',
        crmId: '1',
        notes: [
          'cus_1: LastName cut to 10 characters, the most Zoho takes (the pack keeps it whole)',
          'cus_1: Email left out: 24 characters, over the 12 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand',
        ],
      },
      { externalId: 'cus_2', status: 'synced', crmId: '2' },
      { externalId: 'cus_4', status: 'rejected', reason: 'refused' },
    ], 'nothing to say for cus_2; a record not written is fitted and noted again when it goes');
    assert.deepEqual(second.noted([{ externalId: 'cus_3', status: 'synced', crmId: '3' }])[0], {
      externalId: 'cus_3',
      status: 'synced',
      crmId: '3',
      notes: ['cus_3: LastName cut to 10 characters, the most Zoho takes (the pack keeps it whole)'],
    });
    assert.equal(fitter.take().length, 4, 'the drain is told of every fitting, by call or not');
  });
});
