import type { SqlExecutor } from '../store/sql-database';
import type { BgNbdParams } from './clv/bg-nbd';
import type { GammaGammaParams } from './clv/gamma-gamma';
import type { ClvModel } from './clv/predict';
import type { TimeUnit } from './clv/summary';
import type { RfmCuts } from './rfm';

/** The results of batch runs that payments are scored against until the next run. */
export interface RfmRun {
  id: string;
  currency: string;
  asOf: string;
  cuts: RfmCuts;
  monetaryPercentiles: number[];
}

export async function latestRfmRun(tx: SqlExecutor, currency: string): Promise<RfmRun | null> {
  const r = await tx.get<{ id: string; currency: string; as_of: string; cuts: string; monetary_percentiles: string }>(
    'SELECT id, currency, as_of, cuts, monetary_percentiles FROM segment_rfm_runs WHERE currency = ? ORDER BY created_at DESC, id DESC LIMIT 1',
    [currency],
  );
  return r ? { id: r.id, currency: r.currency, asOf: r.as_of, cuts: JSON.parse(r.cuts) as RfmCuts, monetaryPercentiles: JSON.parse(r.monetary_percentiles) as number[] } : null;
}

export async function saveRfmRun(tx: SqlExecutor, run: RfmRun, createdAt: string): Promise<void> {
  await tx.run('INSERT INTO segment_rfm_runs (id, currency, as_of, customers, cuts, monetary_percentiles, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    run.id, run.currency, run.asOf, run.cuts.customers, JSON.stringify(run.cuts), JSON.stringify(run.monetaryPercentiles), createdAt,
  ]);
}

export interface StoredClvModel extends ClvModel {
  asOf: string;
  purchaseLogLikelihood: number;
  spendLogLikelihood: number | null;
  customers: number;
}

export async function latestClvModel(tx: SqlExecutor, currency: string): Promise<StoredClvModel | null> {
  const r = await tx.get<{
    id: string; currency: string; unit: string; as_of: string; purchase_params: string; purchase_log_likelihood: number;
    spend_params: string | null; spend_log_likelihood: number | null; customers: number;
  }>(
    `SELECT id, currency, unit, as_of, purchase_params, purchase_log_likelihood, spend_params, spend_log_likelihood, customers
     FROM segment_clv_models WHERE currency = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
    [currency],
  );
  if (!r) return null;
  return {
    id: r.id,
    currency: r.currency,
    unit: r.unit as TimeUnit,
    asOf: r.as_of,
    purchase: JSON.parse(r.purchase_params) as BgNbdParams,
    spend: r.spend_params ? (JSON.parse(r.spend_params) as GammaGammaParams) : null,
    purchaseLogLikelihood: Number(r.purchase_log_likelihood),
    spendLogLikelihood: r.spend_log_likelihood === null ? null : Number(r.spend_log_likelihood),
    customers: Number(r.customers),
  };
}

export async function saveClvModel(tx: SqlExecutor, m: StoredClvModel, createdAt: string): Promise<void> {
  await tx.run(
    `INSERT INTO segment_clv_models (id, currency, unit, as_of, purchase_params, purchase_log_likelihood, spend_params, spend_log_likelihood, customers, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [m.id, m.currency, m.unit, m.asOf, JSON.stringify(m.purchase), m.purchaseLogLikelihood, m.spend ? JSON.stringify(m.spend) : null, m.spendLogLikelihood, m.customers, createdAt],
  );
}
