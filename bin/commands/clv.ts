import { accessSync, constants, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../nodes/core/errors';
import { formatOf, parseWhen, readTable, type TableFormat } from '../../nodes/core/segment/clv/read-table';
import { clvReport, type ClvReport, type ReportInput, type ReportRow } from '../../nodes/core/segment/clv-report';
import { dayNumber, summarizePurchases, type Purchase, type TimeUnit } from '../../nodes/core/segment/clv/summary';
import { SegmentRulesSchema } from '../../nodes/core/segment/segments';
import type { CliIo, Command } from './command';

const usage = `Usage: terminal-crm clv <file> [options]

Fits the BG/NBD purchase model and the Gamma-Gamma spend model to a history of
transactions by maximum likelihood, prints the fitted parameters with their
log-likelihoods, and writes a forecast per customer: probability still active,
expected purchases and value over each horizon, RFM scores and segment.

Input: CSV with a header line (comma, semicolon or tab, whichever the header uses),
JSONL (one object per line), or columns (blank-separated, as CDNOW_sample.txt: named
1, 2, 3…, and by the header when the first line is one), one transaction a row.
  --customer-col NAME    customer id column (default customer_id)
  --date-col NAME        date or time column (default date): 2025-03-01,
                         2025-03-01T10:00:00Z, 2025-03-01 10:00 (UTC), 3/1/2025
                         8:26 (month first), 20250301 or epoch seconds
  --amount-col NAME      amount column, in currency units such as 12.50
                         (default amount; without it only purchases are modelled)
  --quantity-col NAME    a line-item file: each row is worth amount × quantity
                         (Online Retail's UnitPrice and Quantity); a negative
                         quantity (a return) lowers the day's value, or on a day
                         without a purchase the latest purchase day's before it
  --format csv|jsonl|columns
                         default: from the file name (.jsonl/.ndjson is JSONL, else CSV)
  --summary              the file is already a summary, one customer a row:
                         frequency (repeat purchases), recency, T, mean value
  --frequency-col, --recency-col, --t-col, --monetary-col NAME
                         summary columns (default frequency, recency, T, monetary_value)

Periods (the usual convention): purchases on one calendar day (UTC) count once;
frequency = purchase days after the first; recency = first to last purchase day;
T = first purchase day to the observation end. A row whose value is below zero (a
return) is no purchase. Rows without a customer id (guest sales) are left out and
counted on stderr.
  --unit days|weeks      unit of recency, T and the fitted alpha (default weeks)
  --observation-end DATE end of the calibration period (default: the last date seen)
  --holdout-end DATE     also compare purchases after --observation-end up to this
                         date with the forecast (calibration/holdout check)

Output:
  --horizon DAYS         forecast horizon(s) in days, comma-separated (default 90,365)
  --output FILE          write the per-customer forecast: .csv, .jsonl/.ndjson (one
                         object a line) or .json (one array of them)
  --penalizer X          L2 penalty on the parameters (default 0, plain maximum likelihood)
  --json                 print the fitted parameters as one JSON object:
                         r, alpha, a, b, logLikelihood and, with amounts,
                         p, q, gamma, spendLogLikelihood
  -h, --help             show this help

Example:
  terminal-crm clv sales.csv --customer-col client --date-col day --amount-col total \\
    --observation-end 2025-06-30 --output forecast.csv
`;

const DAY_MS = 86_400_000;

interface Options {
  file: string;
  format: TableFormat;
  unit: TimeUnit;
  horizons: number[];
  penalizer: number;
  observationEnd?: number;
  holdoutEnd?: number;
  summary: boolean;
  cols: { customer: string; date: string; amount: string; quantity?: string; frequency: string; recency: string; T: string; monetary: string };
}

function parseOptions(args: string[]): Options & { output?: string; json: boolean } {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'customer-col': { type: 'string' }, 'date-col': { type: 'string' }, 'amount-col': { type: 'string' }, 'quantity-col': { type: 'string' },
      format: { type: 'string' }, summary: { type: 'boolean' },
      'frequency-col': { type: 'string' }, 'recency-col': { type: 'string' }, 't-col': { type: 'string' }, 'monetary-col': { type: 'string' },
      unit: { type: 'string' }, 'observation-end': { type: 'string' }, 'holdout-end': { type: 'string' },
      horizon: { type: 'string' }, output: { type: 'string' }, penalizer: { type: 'string' }, json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new InputError('<file>', positionals.length ? 'only one input file is read' : 'no transactions file given', 'name one CSV, JSONL or columns file, e.g. terminal-crm clv sales.csv');
  const file = positionals[0]!;
  const unit = values.unit ?? 'weeks';
  if (unit !== 'days' && unit !== 'weeks') throw new InputError('--unit', `"${unit}" is not a unit`, 'use days or weeks');
  const horizons = (values.horizon ?? '90,365').split(',').map((h) => Number(h.trim()));
  if (horizons.some((h) => !Number.isFinite(h) || h <= 0)) throw new InputError('--horizon', `"${values.horizon}" is not a list of days`, 'give positive numbers of days, e.g. 90,365');
  const penalizer = Number(values.penalizer ?? 0);
  if (!(penalizer >= 0)) throw new InputError('--penalizer', `"${values.penalizer}" is not a number ≥ 0`, 'leave it out, or give e.g. 0.001');
  const date = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const ms = parseWhen(v);
    if (!Number.isFinite(ms)) throw new InputError(flag, `"${v}" is not a date`, 'write it as YYYY-MM-DD');
    return ms;
  };
  const observationEnd = date('--observation-end', values['observation-end']);
  const holdoutEnd = date('--holdout-end', values['holdout-end']);
  if (holdoutEnd !== undefined && observationEnd === undefined) throw new InputError('--holdout-end', 'needs --observation-end', 'give the end of the calibration period too');
  if (holdoutEnd !== undefined && observationEnd !== undefined && dayNumber(holdoutEnd) <= dayNumber(observationEnd)) {
    throw new InputError('--holdout-end', 'is not after --observation-end', 'end the holdout period after the calibration period');
  }
  return {
    file, format: formatOf(file, values.format), unit, horizons, penalizer, observationEnd, holdoutEnd,
    summary: values.summary === true, output: values.output, json: values.json === true,
    cols: {
      customer: values['customer-col'] ?? 'customer_id', date: values['date-col'] ?? 'date', amount: values['amount-col'] ?? 'amount',
      ...(values['quantity-col'] !== undefined ? { quantity: values['quantity-col'] } : {}),
      frequency: values['frequency-col'] ?? 'frequency', recency: values['recency-col'] ?? 'recency', T: values['t-col'] ?? 'T',
      monetary: values['monetary-col'] ?? 'monetary_value',
    },
  };
}

const rowCount = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

function requireColumn(row: Record<string, string>, col: string, flag: string, file: string): void {
  if (!(col in row)) {
    const names = Object.keys(row);
    // One "column" holding blank-separated values: a research file (the CDNOW files) read as CSV.
    const columns = names.length === 1 && /\S\s+\S/.test(names[0]!);
    throw new InputError(
      flag,
      `${file} has no column "${col}" (it has: ${names.join(', ')})`,
      columns ? `its values are separated by blanks: read it with --format columns and name columns by position (${flag} 2), or by the file's header if it has one` : `name the right column with ${flag}`,
    );
  }
}

async function readTransactions(o: Options): Promise<{ input: ReportInput[]; holdoutDays?: number; observationEnd: number; withoutCustomer: number }> {
  const purchases: Purchase[] = [];
  let hasAmount: boolean | null = null;
  let last = Number.NEGATIVE_INFINITY;
  let withoutCustomer = 0;
  for await (const { line, row } of readTable(o.file, o.format)) {
    if (hasAmount === null) {
      requireColumn(row, o.cols.customer, '--customer-col', o.file);
      requireColumn(row, o.cols.date, '--date-col', o.file);
      if (o.cols.quantity !== undefined) requireColumn(row, o.cols.quantity, '--quantity-col', o.file);
      hasAmount = o.cols.amount in row;
      if (!hasAmount && o.cols.quantity !== undefined) requireColumn(row, o.cols.amount, '--amount-col', o.file);
    }
    // A guest sale (Online Retail leaves CustomerID empty on a quarter of its rows) is nobody's purchase.
    const customerId = (row[o.cols.customer] ?? '').trim();
    if (customerId === '') {
      withoutCustomer++;
      continue;
    }
    const at = parseWhen(row[o.cols.date] ?? '');
    if (!Number.isFinite(at)) throw new InputError(`${o.file} line ${line}`, `"${row[o.cols.date]}" in column "${o.cols.date}" is not a date`, 'use YYYY-MM-DD, an ISO time (a time without a zone is UTC), M/D/YYYY, YYYYMMDD or epoch seconds');
    const amount = hasAmount ? Number(row[o.cols.amount]) : 0;
    if (hasAmount && !Number.isFinite(amount)) {
      throw new InputError(`${o.file} line ${line}`, `"${row[o.cols.amount]}" in column "${o.cols.amount}" is not an amount`, 'write amounts as plain numbers such as 12.50');
    }
    const quantity = o.cols.quantity === undefined ? 1 : Number(row[o.cols.quantity]);
    if (!Number.isFinite(quantity)) {
      throw new InputError(`${o.file} line ${line}`, `"${row[o.cols.quantity!]}" in column "${o.cols.quantity}" is not a quantity`, 'write quantities as plain numbers such as 3 (or -3 for a return)');
    }
    purchases.push({ customerId, at, amount: amount * quantity });
    if (at > last) last = at;
  }
  if (purchases.length === 0) {
    const guests = withoutCustomer > 0 ? ` (${rowCount(withoutCustomer)} ${withoutCustomer === 1 ? 'has' : 'have'} no ${o.cols.customer})` : '';
    throw new InputError('<file>', `${o.file} has no transactions of a known customer${guests}`, 'give a file with a header line and one transaction per line, and name the customer id column with --customer-col');
  }
  const observationEnd = o.observationEnd ?? last;
  const summaries = summarizePurchases(purchases, { observationEnd, unit: o.unit, holdoutEnd: o.holdoutEnd });
  const input = summaries.map((s) => ({ ...s, monetary: hasAmount ? s.monetary : Number.NaN, totalValue: hasAmount ? s.totalValue : undefined }));
  const holdoutDays = o.holdoutEnd === undefined ? undefined : dayNumber(o.holdoutEnd) - dayNumber(observationEnd);
  return { input, holdoutDays, observationEnd, withoutCustomer };
}

async function readSummary(o: Options): Promise<ReportInput[]> {
  const out: ReportInput[] = [];
  let hasMonetary: boolean | null = null;
  for await (const { line, row } of readTable(o.file, o.format)) {
    if (hasMonetary === null) {
      requireColumn(row, o.cols.customer, '--customer-col', o.file);
      requireColumn(row, o.cols.frequency, '--frequency-col', o.file);
      requireColumn(row, o.cols.recency, '--recency-col', o.file);
      requireColumn(row, o.cols.T, '--t-col', o.file);
      hasMonetary = o.cols.monetary in row;
    }
    const [frequency, recency, T] = [Number(row[o.cols.frequency]), Number(row[o.cols.recency]), Number(row[o.cols.T])];
    if (![frequency, recency, T].every(Number.isFinite) || frequency < 0 || recency < 0 || recency > T) {
      throw new InputError(`${o.file} line ${line}`, `frequency ${row[o.cols.frequency]}, recency ${row[o.cols.recency]}, T ${row[o.cols.T]} is not a valid summary`, 'need frequency ≥ 0 and 0 ≤ recency ≤ T');
    }
    out.push({ customerId: row[o.cols.customer]!, frequency, recency, T, monetary: hasMonetary ? Number(row[o.cols.monetary]) : Number.NaN });
  }
  if (out.length === 0) throw new InputError('<file>', `${o.file} has no customers`, 'give a summary file with a header line and one customer per line');
  return out;
}

const round = (x: number | null | undefined, digits = 6) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

function flatRow(r: ReportRow): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {
    customer_id: r.customerId, frequency: r.frequency, recency: round(r.recency, 4), T: round(r.T, 4), monetary_value: round(r.monetary, 4),
    p_alive: round(r.pAlive),
  };
  for (const h of r.horizons) {
    out[`expected_purchases_${h.days}d`] = round(h.expectedPurchases);
    out[`expected_value_${h.days}d`] = round(h.expectedValue, 4);
  }
  Object.assign(out, { r: r.r, f: r.f, m: r.m, segment: r.segment });
  if (r.holdoutFrequency !== undefined) Object.assign(out, { holdout_frequency: r.holdoutFrequency, predicted_holdout_purchases: round(r.predictedHoldoutPurchases) });
  return out;
}

const csvCell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const cannotWrite = (path: string, e: unknown) =>
  new InputError('--output', `cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'name a file in a folder that exists and that you may write to');

/** Checked before the file is read and the models fitted: a mistyped folder would otherwise be found only after the fit. */
function checkWritable(path: string): void {
  // A name that asks for another format (forecast.xlsx) would get CSV under it, which the program it names then refuses.
  const extension = /\.([^./\\]+)$/.exec(path)?.[1];
  if (extension !== undefined && !/^(csv|jsonl|ndjson|json)$/i.test(extension)) {
    throw new InputError('--output', `writes CSV, JSON lines or one JSON array, not .${extension}`, 'name the file .csv (a spreadsheet opens it), .jsonl (one object a line) or .json (one array)');
  }
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (e) {
    throw cannotWrite(path, e);
  }
}

/**
 * CSV, JSON lines (.jsonl, .ndjson: one object a line) or, for a .json name, one JSON array of those objects: a
 * program opening a .json file reads one document, and JSON lines of more than one customer are not one.
 */
async function writeRows(path: string, rows: readonly ReportRow[]): Promise<void> {
  const jsonl = /\.(jsonl|ndjson)$/i.test(path);
  const json = /\.json$/i.test(path);
  const out = createWriteStream(path);
  try {
    await once(out, 'open');
  } catch (e) {
    throw cannotWrite(path, e);
  }
  let header = false;
  for (const r of rows) {
    const flat = flatRow(r);
    let text: string;
    if (jsonl) {
      text = `${JSON.stringify(flat)}\n`;
    } else if (json) {
      text = `${header ? ',\n' : '[\n'}${JSON.stringify(flat)}`;
      header = true;
    } else {
      text = `${header ? '' : `${Object.keys(flat).join(',')}\n`}${Object.values(flat).map(csvCell).join(',')}\n`;
      header = true;
    }
    if (!out.write(text)) await once(out, 'drain');
  }
  if (json) out.write(header ? '\n]\n' : '[]\n');
  out.end();
  await once(out, 'finish');
}

export function paramsJson(report: ClvReport, extra: Record<string, unknown>): Record<string, unknown> {
  const p = report.purchase.params;
  return {
    r: p.r, alpha: p.alpha, a: p.a, b: p.b, logLikelihood: report.purchase.logLikelihood,
    ...(report.spend ? { p: report.spend.params.p, q: report.spend.params.q, gamma: report.spend.params.gamma, spendLogLikelihood: report.spend.logLikelihood } : {}),
    customers: report.purchase.customers,
    ...(report.spend ? { repeatCustomers: report.spend.customers } : {}),
    unit: report.unit,
    converged: report.purchase.converged && (report.spend?.converged ?? true),
    ...extra,
    ...(report.holdout ? { holdout: report.holdout } : {}),
  };
}

function describe(report: ClvReport, io: CliIo): void {
  const f = (x: number) => x.toPrecision(6);
  const p = report.purchase.params;
  io.out(`BG/NBD (purchases): ${report.purchase.customers} customers, times in ${report.unit}\n`);
  io.out(`  r = ${f(p.r)}  alpha = ${f(p.alpha)}  a = ${f(p.a)}  b = ${f(p.b)}  log-likelihood = ${report.purchase.logLikelihood.toFixed(4)}\n`);
  if (report.spend) {
    const s = report.spend.params;
    io.out(`Gamma-Gamma (spend): ${report.spend.customers} customers with repeat purchases\n`);
    io.out(`  p = ${f(s.p)}  q = ${f(s.q)}  gamma = ${f(s.gamma)}  log-likelihood = ${report.spend.logLikelihood.toFixed(4)}\n`);
  } else {
    io.out(`Gamma-Gamma (spend): not fitted (${report.spendSkipped})\n`);
  }
  if (!report.purchase.converged || report.spend?.converged === false) io.out('Warning: the optimiser stopped before converging; the estimates may be rough.\n');
  if (report.holdout) {
    const h = report.holdout;
    io.out(`Holdout (${h.days} days): ${h.actualPurchases} purchase days seen, ${h.predictedPurchases.toFixed(1)} forecast\n`);
  }
}

export const clvCommand: Command = {
  name: 'clv',
  summary: 'fit BG/NBD + Gamma-Gamma lifetime-value models to a transactions file and forecast each customer',
  usage,
  async run(args, io) {
    const o = parseOptions(args);
    if (o.output) checkWritable(o.output);
    const started = Date.now();
    let input: ReportInput[];
    let holdoutDays: number | undefined;
    let observationEnd: string | undefined;
    let withoutCustomer = 0;
    if (o.summary) {
      if (o.holdoutEnd !== undefined) throw new InputError('--holdout-end', 'needs transactions, not a summary', 'give the transactions file without --summary');
      input = await readSummary(o);
    } else {
      const t = await readTransactions(o);
      input = t.input;
      holdoutDays = t.holdoutDays;
      withoutCustomer = t.withoutCustomer;
      observationEnd = new Date(dayNumber(t.observationEnd) * DAY_MS).toISOString().slice(0, 10);
    }
    const report = clvReport(input, { unit: o.unit, horizonsDays: o.horizons, penalizer: o.penalizer, rules: SegmentRulesSchema.parse({}), holdoutDays });
    if (o.output) await writeRows(o.output, report.rows);
    if (o.json) {
      io.out(`${JSON.stringify(paramsJson(report, observationEnd ? { observationEnd } : {}))}\n`);
    } else {
      describe(report, io);
      io.out(o.output ? `Forecast for ${report.rows.length} customers written to ${o.output}\n` : `(${report.rows.length} customers; --output FILE writes the forecast per customer)\n`);
    }
    if (withoutCustomer > 0) io.err(`clv: ${rowCount(withoutCustomer)} without a ${o.cols.customer} left out (guest sales)\n`);
    io.err(`clv: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  },
};
