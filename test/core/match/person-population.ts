import type { MatchRecord } from '../../../nodes/core/contracts/match-record';
import type { LabelledRecord } from '../../support/person-corruption/datasets';

/** A generated record as the matcher reads it, under the columns an operator would map. */
export function matchRecordOf(r: LabelledRecord): MatchRecord {
  const v = (s: string) => (s.trim() ? s : undefined);
  return {
    id: r.row.rec_id,
    givenName: v(r.row.given_name),
    familyName: v(r.row.surname),
    street: v(r.row.street_address),
    city: v(r.row.suburb),
    postalCode: v(r.row.postcode),
    region: v(r.row.state),
    dateOfBirth: v(r.row.date_of_birth),
    email: v(r.row.email),
    phone: v(r.row.phone_number),
  };
}

export interface PairScores {
  precision: number;
  recall: number;
  f1: number;
}

export function pairScores(predicted: number, correct: number, truePairs: number): PairScores {
  const precision = predicted ? correct / predicted : 1;
  const recall = truePairs ? correct / truePairs : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}
