import type { MatchKeyKind } from '../contracts/customer';
import type { ComparedField, MatchEvidence } from './weights';

/** A pair of records the linkage scored at or above the review threshold, with why. */
export interface LinkPair {
  left: string;
  right: string;
  confidence: number;
  decision: 'link' | 'review';
  matchedOn: (MatchKeyKind | ComparedField)[];
  explanation: string;
  evidence: MatchEvidence[];
}

/**
 * One-to-one linkage between two files that each hold a person once: links are taken best first (greedy by
 * confidence, which for match weights is close to the optimal assignment and needs no matrix), and a link whose
 * record is already taken becomes a review that says by whom.
 */
export function oneToOne(links: readonly LinkPair[]): LinkPair[] {
  const sorted = [...links].sort((a, b) => b.confidence - a.confidence || (a.left < b.left ? -1 : 1));
  const leftTaken = new Map<string, string>();
  const rightTaken = new Map<string, string>();
  return sorted.map((p) => {
    const byLeft = leftTaken.get(p.left);
    const byRight = rightTaken.get(p.right);
    if (byLeft === undefined && byRight === undefined) {
      leftTaken.set(p.left, p.right);
      rightTaken.set(p.right, p.left);
      return p;
    }
    const why = byLeft !== undefined ? `${p.left} is already linked to ${byLeft}` : `${p.right} is already linked to ${byRight}`;
    return { ...p, decision: 'review' as const, explanation: `${p.explanation} Not linked: one-to-one, and ${why} with a higher confidence.` };
  });
}

/**
 * Clusters of one file's records: connected components over the links, each named after its first record in
 * file order (a record linked to nothing is its own cluster). Returns record id → cluster id, in file order.
 */
export function clustersOf(ids: readonly string[], links: readonly Pick<LinkPair, 'left' | 'right'>[]): Map<string, string> {
  const order = new Map(ids.map((id, i) => [id, i]));
  const parent = ids.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const l of links) {
    const a = order.get(l.left);
    const b = order.get(l.right);
    if (a === undefined || b === undefined) continue;
    const ra = find(a);
    const rb = find(b);
    // the root is the earlier record, so the cluster id is its first record
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  }
  return new Map(ids.map((id, i) => [id, ids[find(i)]!]));
}
