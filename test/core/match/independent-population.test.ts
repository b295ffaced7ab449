import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkRecords, type LinkSummary } from '../../../nodes/core/match/link-records';
import { readRecordFile } from '../../../nodes/core/match/record-file';
import { dedupSet, linkSet, toCsv, type LabelledRecord } from '../../support/person-corruption/datasets';
import { scorePairs, truthOf } from '../../support/person-corruption/score';

/**
 * The pack's linkage on a labelled population from a corruption process that shares nothing with the matcher
 * or its simulator (test/support/person-corruption: FEBRL's error model, Australian names and addresses,
 * nicknames, OCR and phonetic spellings, swapped and missing fields, moves, households). The bar is Splink's on
 * the same kind of data (issue 11): F1, precision and recall of the `link` decisions at least 0.95, and the
 * share of matches the matcher estimates within a factor of two of the truth.
 */
const FLOOR = { f1: 0.95, precision: 0.95, recall: 0.95 };

/** As `terminal-crm link` reads them: the CSV through the record-file reader, suburb mapped to city. */
function records(set: readonly LabelledRecord[], where: string) {
  return readRecordFile(toCsv(set), 'csv', { idColumn: 'rec_id', columns: { city: 'suburb' }, where }).records;
}

function run(left: readonly LabelledRecord[], right: readonly LabelledRecord[] | undefined) {
  const links: [string, string][] = [];
  const summary = linkRecords(records(left, 'a.csv'), right && records(right, 'b.csv'), { defaultRegion: 'AU' }, {
    onPair: (p) => {
      if (p.decision === 'link') links.push([p.left, p.right]);
    },
  });
  return { links, summary };
}

/**
 * The probability that two random records (pairs across the files, or pairs within the one file) are one
 * person, as the matcher estimated it: `LinkSummary.matchProportion`, the prior issue 11 asks to be estimated
 * on its own (not the share of blocked candidates, which is what collapsed).
 */
function estimatedProportion(summary: LinkSummary): number {
  const value = (summary as LinkSummary & { matchProportion?: number }).matchProportion;
  assert.equal(typeof value, 'number', 'linkRecords reports no estimated match proportion (LinkSummary.matchProportion: matches among all record pairs)');
  return value!;
}

function assertFloors(label: string, s: { f1: number; precision: number; recall: number }): void {
  const line = `${label}: precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)}, F1 ${s.f1.toFixed(4)}`;
  assert.ok(s.precision >= FLOOR.precision && s.recall >= FLOOR.recall && s.f1 >= FLOOR.f1, `${line}; floors ${JSON.stringify(FLOOR)}`);
}

function assertWithinFactorTwo(estimated: number, truth: number): void {
  assert.ok(estimated >= truth / 2 && estimated <= truth * 2, `estimated match proportion ${estimated.toExponential(3)}, truth ${truth.toExponential(3)} (must be within a factor of two)`);
}

describe('link on an independent labelled population', { timeout: 60_000 }, () => {
  const link = linkSet({ seed: 'independent-population', size: 1000 });
  const dedup = dedupSet({ seed: 'independent-population', records: 1000, duplicates: 400 });
  let twoFile: ReturnType<typeof run> | undefined;
  let oneFile: ReturnType<typeof run> | undefined;
  const twoFileRun = () => (twoFile ??= run(link.a, link.b));
  const oneFileRun = () => (oneFile ??= run(dedup.records, undefined));

  it('links 1,000 × 1,000 records with precision, recall and F1 of at least 0.95', () => {
    const { links } = twoFileRun();
    assertFloors('two files', scorePairs(links, truthOf([...link.a, ...link.b]), link.truePairs));
  });

  it('estimates the share of matches across the two files within a factor of two', () => {
    assertWithinFactorTwo(estimatedProportion(twoFileRun().summary), link.truePairs / (link.a.length * link.b.length));
  });

  it('deduplicates 1,000 records (400 duplicates) with precision, recall and F1 of at least 0.95', () => {
    const { links } = oneFileRun();
    assertFloors('one file', scorePairs(links, truthOf(dedup.records), dedup.truePairs));
  });

  it('estimates the share of matches within the one file within a factor of two', () => {
    const n = dedup.records.length;
    assertWithinFactorTwo(estimatedProportion(oneFileRun().summary), dedup.truePairs / ((n * (n - 1)) / 2));
  });
});
