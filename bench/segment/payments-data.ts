import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Random } from '../../test/core/segment/support/random';

/**
 * A synthetic payments table for the batch benchmark, as columns: customer key (sparse 31-bit ints, so grouping
 * needs a real hash table on both sides), day number, amount and refunded amount in minor units. Deterministic
 * for a given size and seed, so the JS run and the DuckDB run see the same rows.
 */
export interface PaymentsColumns {
  customer: Int32Array;
  day: Int32Array;
  amount: Int32Array;
  refunded: Int32Array;
  length: number;
}

export const AS_OF_DAY = 20_000; // 2024-10-04

export function generatePayments(payments: number, seed = 1): PaymentsColumns {
  const customers = Math.max(1, Math.floor(payments / 10));
  const rnd = new Random(seed);
  const keys = new Int32Array(customers);
  const seen = new Set<number>();
  for (let i = 0; i < customers; i++) {
    let k: number;
    do k = 1 + rnd.int(2_147_483_000);
    while (seen.has(k));
    seen.add(k);
    keys[i] = k;
  }
  seen.clear();
  const out: PaymentsColumns = {
    customer: new Int32Array(payments), day: new Int32Array(payments), amount: new Int32Array(payments), refunded: new Int32Array(payments), length: payments,
  };
  for (let i = 0; i < payments; i++) {
    // Skewed: a few customers buy often, most rarely (u² concentrates on low indices).
    const u = rnd.next();
    out.customer[i] = keys[Math.floor(u * u * customers)]!;
    out.day[i] = AS_OF_DAY - rnd.int(730);
    const amount = 100 * (5 + rnd.int(500));
    out.amount[i] = amount;
    out.refunded[i] = rnd.next() < 0.08 ? 100 * rnd.int(amount / 100) : 0;
  }
  return out;
}

export async function writeCsv(data: PaymentsColumns, path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('customer_id,day,amount_minor,refunded_minor\n');
  const CHUNK = 50_000;
  for (let start = 0; start < data.length; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(data.length, start + CHUNK); i++) text += `${data.customer[i]},${data.day[i]},${data.amount[i]},${data.refunded[i]}\n`;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
