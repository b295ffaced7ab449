import { Random } from './random';

export interface DatasetPayment {
  customerId: string;
  currency: string;
  paymentId: string;
  amountMinor: number;
  at: string;
  /** Cumulative refund on this payment, if any, and when. */
  refundMinor?: number;
  refundAt?: string;
}

/**
 * A fixed population for comparing with SQL: two currencies, 1–15 payments per customer over eighteen months,
 * amounts on a coarse grid and days drawn from a small range so that many values tie (ties are where rank
 * definitions differ), some partial refunds, a handful of customers who bought once in the last month, and big spenders who
 * stopped coming early on.
 */
export function fixedDataset(seed = 7): DatasetPayment[] {
  const rnd = new Random(seed);
  const out: DatasetPayment[] = [];
  const start = Date.parse('2024-01-01T00:00:00Z');
  const spanDays = 546;
  const populations: [string, number][] = [['USD', 420], ['EUR', 160]];
  for (const [currency, customers] of populations) {
    for (let c = 0; c < customers; c++) {
      const customerId = `${currency.toLowerCase()}_cus_${String(c).padStart(4, '0')}`;
      const isNew = c % 25 === 0;
      // Big spenders who stopped coming early on: the "Can't lose them" corner of the grid.
      const lapsedBig = c % 19 === 3;
      const n = isNew ? 1 : lapsedBig ? 10 + rnd.int(6) : 1 + Math.floor(Math.pow(rnd.next(), 2) * 15);
      for (let k = 0; k < n; k++) {
        const day = isNew ? spanDays - 1 - rnd.int(20) : lapsedBig ? rnd.int(120) : rnd.int(spanDays);
        const at = new Date(start + day * 86_400_000 + (8 + rnd.int(10)) * 3_600_000).toISOString();
        const amountMinor = lapsedBig ? 4000 + 500 * rnd.int(5) : 500 * (1 + rnd.int(12));
        const p: DatasetPayment = { customerId, currency, paymentId: `pi_${customerId}_${k}`, amountMinor, at };
        if (rnd.next() < 0.08) {
          p.refundMinor = 500 * (1 + rnd.int(amountMinor / 500));
          p.refundAt = new Date(Date.parse(at) + 2 * 86_400_000).toISOString();
        }
        out.push(p);
      }
    }
  }
  return out;
}
