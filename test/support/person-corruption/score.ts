/**
 * Pairwise precision, recall and F1 of a matcher's pairs against the true ids, and the same for the clusters
 * its pairs make (connected components): the pair view is what a merge decision sees, the cluster view is what
 * a customer list ends up as.
 */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  predicted: number;
  correct: number;
  truePairs: number;
}

export function scores(predicted: number, correct: number, truePairs: number): Scores {
  const precision = predicted ? correct / predicted : 1;
  const recall = truePairs ? correct / truePairs : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, predicted, correct, truePairs };
}

const key = (x: string, y: string) => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);

/** Distinct unordered pairs; a pair reported twice (or both ways) counts once. */
export function scorePairs(pairs: Iterable<readonly [string, string]>, truth: ReadonlyMap<string, string>, truePairs: number): Scores {
  const seen = new Set<string>();
  let correct = 0;
  for (const [x, y] of pairs) {
    if (x === y) continue;
    const k = key(x, y);
    if (seen.has(k)) continue;
    seen.add(k);
    const tx = truth.get(x);
    if (tx === undefined || truth.get(y) === undefined) throw new Error(`score: "${tx === undefined ? x : y}" is no record id of the data set`);
    if (tx === truth.get(y)) correct++;
  }
  return scores(seen.size, correct, truePairs);
}

/**
 * The pairs inside the connected components of `pairs`. With `sideOf`, only pairs across sides count (two-file
 * linkage: two records of file B in one cluster are not a link between the files).
 */
export function scoreClusters(pairs: Iterable<readonly [string, string]>, truth: ReadonlyMap<string, string>, truePairs: number, sideOf?: (id: string) => string): Scores {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  for (const [x, y] of pairs) {
    if (!parent.has(x)) parent.set(x, x);
    if (!parent.has(y)) parent.set(y, y);
    const rx = find(x);
    const ry = find(y);
    if (rx !== ry) parent.set(rx, ry);
  }
  const clusters = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const r = find(id);
    const list = clusters.get(r);
    if (list) list.push(id);
    else clusters.set(r, [id]);
  }
  let predicted = 0;
  let correct = 0;
  for (const members of clusters.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        if (sideOf && sideOf(members[i]!) === sideOf(members[j]!)) continue;
        predicted++;
        if (truth.get(members[i]!) === truth.get(members[j]!)) correct++;
      }
    }
  }
  return scores(predicted, correct, truePairs);
}

/** rec_id → true_id of every record. */
export function truthOf(records: readonly { row: { rec_id: string; true_id: string } }[]): Map<string, string> {
  return new Map(records.map((r) => [r.row.rec_id, r.row.true_id]));
}
