import type { Client } from '@temporalio/client';
import { parseSaasCrmName } from '../nodes/core/crm/crm-names';
import { backfillWindowOf } from '../nodes/core/backfill/window-fields';
import { InputError } from '../nodes/core/errors';
import { HISTORY_SOURCES, historyLister, offlineGraceOf } from '../nodes/core/sources/history';
import type { BackfillInput } from '../workflows/activity-contracts/backfill-activities';
import { loadTemporal, temporalClientModule } from './optional-temporal';
import type { BackfillStatus } from '../workflows/backfill';

export const BACKFILL_OPERATIONS = ['start', 'progress', 'pause', 'resume', 'cancel'] as const;
export type BackfillOperation = (typeof BACKFILL_OPERATIONS)[number];

/** What a face's Backfill operation is given: the window names the workflow, so progress and signals need it too. */
export interface BackfillRequest {
  operation: BackfillOperation;
  input: BackfillInput;
}

export interface BackfillAnswer {
  operation: BackfillOperation;
  workflowId: string;
  /** start: false when a backfill of this window was already running (it is joined, not restarted). */
  started?: boolean;
  /** progress (and start, once the workflow answers): the workflow's progress query. */
  status?: Partial<BackfillStatus>;
  /** The workflow's state on the server (RUNNING, COMPLETED, CANCELED…). */
  state?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The request's fields, as a face passes them in. */
export type BackfillFields = { operation?: unknown; source?: unknown; since?: unknown; until?: unknown; crm?: unknown; limit?: unknown; offlineGrace?: unknown; restart?: unknown };

/** The fields as a form names them (n8n, the CLI's words match); a face whose values come from elsewhere names them itself. */
const FORM_NAMES = { operation: 'Operation', source: 'Source', since: 'Since', until: 'Until', crm: 'CRM', limit: 'Page Size', offlineGrace: 'Offline Grace (Hours)' } as const;

/**
 * A face's parameters as a backfill request, with the field named when one is wrong. `names` overrides how a
 * field is named, e.g. msg.payload.operation for a value a Node-RED message set.
 */
export function backfillRequestOf(p: BackfillFields, names: Partial<Record<keyof typeof FORM_NAMES, string>> = {}): BackfillRequest {
  const n = { ...FORM_NAMES, ...names };
  // Only a blank operation means start: anything else that is not an operation (a number, true) must not start a backfill.
  const given = typeof p.operation === 'string' ? p.operation.trim() : p.operation;
  const operation = (given === undefined || given === null || given === '' ? 'start' : given) as BackfillOperation;
  if (!BACKFILL_OPERATIONS.includes(operation)) throw new InputError(n.operation, `${JSON.stringify(p.operation)} is not a backfill operation`, `use one of ${BACKFILL_OPERATIONS.join(', ')}`);
  const source = text(p.source);
  if (!source || !(HISTORY_SOURCES as readonly string[]).includes(source)) {
    throw new InputError(n.source, source ? `"${source}" has no history to backfill` : 'is missing', `pick one of ${HISTORY_SOURCES.join(', ')}`);
  }
  // The window and page size are read by the one reader the Node-RED dialog marks its fields with.
  const w = backfillWindowOf(p.since, p.until, p.limit);
  const notADate = (field: string, v: unknown) => new InputError(field, `"${String(v).trim()}" is not a date`, 'write a day such as 2026-01-01, or an ISO time');
  if (w.since === null) throw notADate(n.since, p.since);
  const since = w.since;
  if (!since) throw new InputError(n.since, 'is missing', 'give the first day to bring in, such as 2026-01-01');
  if (w.until === null) throw notADate(n.until, p.until);
  const until = w.until;
  if (w.untilNotAfter) throw new InputError(n.until, `is not after ${n.since}`, 'leave it empty for now, or give a later day');
  const limit = w.limit;
  if (limit === null) throw new InputError(n.limit, `"${String(p.limit)}" is not a whole number above 0`, 'leave it empty for 100, or give one such as 100');
  // Checked here, as the CLI's --crm is: the worker would only refuse it once the workflow ran, after Start said started.
  // Blank is none; anything else given (an expression's number) is checked, not read as none.
  const givenCrm = typeof p.crm === 'string' ? text(p.crm) : p.crm === undefined || p.crm === null ? undefined : p.crm;
  const crm = givenCrm === undefined ? undefined : parseSaasCrmName(givenCrm, n.crm);
  // Checked here too: the worker would refuse it only once the workflow ran.
  const graceMs = offlineGraceOf(historyLister(source), p.offlineGrace, n.offlineGrace);
  const offlineGraceHours = graceMs === undefined ? undefined : graceMs / 3_600_000;
  const restart = p.restart === true || p.restart === 'true';
  return {
    operation,
    input: { source, since, ...(until ? { until } : {}), ...(crm ? { crm } : {}), ...(limit ? { limit } : {}), ...(offlineGraceHours ? { offlineGraceHours } : {}), ...(restart ? { restart } : {}) },
  };
}

/**
 * Starts (or joins) the backfill workflow of a window, reads its progress, or sends it pause / resume / cancel —
 * the same workflow and signals as `terminal-crm backfill --temporal`. Returns at once.
 */
export async function controlBackfill(client: Client, taskQueue: string, request: BackfillRequest): Promise<BackfillAnswer> {
  const wf = loadTemporal(() => require('../workflows/backfill') as typeof import('../workflows/backfill'));
  const { WorkflowExecutionAlreadyStartedError } = temporalClientModule();
  const workflowId = wf.backfillWorkflowId(request.input);
  const handle = client.workflow.getHandle<typeof wf.backfill>(workflowId);
  const { operation } = request;
  if (operation === 'start') {
    try {
      await client.workflow.start<typeof wf.backfill>('backfill', { workflowId, taskQueue, args: [request.input] });
      return { operation, workflowId, started: true, state: 'RUNNING' };
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      return { operation, workflowId, started: false, state: 'RUNNING' };
    }
  }
  const described = await handle.describe().catch((e: unknown) => {
    throw new InputError('Since', `no backfill of this window on the server (${workflowId}: ${e instanceof Error ? e.message : String(e)})`, 'use the same Source, Since and Until as the Start operation');
  });
  const state = described.status.name;
  if (operation === 'progress') {
    if (state !== 'RUNNING') return { operation, workflowId, state, status: (await handle.result().catch(() => undefined)) ?? undefined };
    return { operation, workflowId, state, status: await handle.query(wf.backfillProgressQuery) };
  }
  if (state !== 'RUNNING') throw new InputError('Operation', `the backfill ${workflowId} is ${state}, it takes no ${operation}`, 'start it again to carry on from its stored position');
  const signal = { pause: wf.pauseBackfillSignal, resume: wf.resumeBackfillSignal, cancel: wf.cancelBackfillSignal }[operation];
  await handle.signal(signal);
  return { operation, workflowId, state };
}
