import type { HttpRequest } from '../../http/http-transport';
import { idText, objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import type { CrmChangedCustomers } from './crm-adapter';
import { resumeFrom } from './change-overlap';
import { CrmConfigError } from './crm-errors';
import { envelopeOf, isOk, pipedriveReason, type PipedriveCall, type PipedrivePerson } from './pipedrive-api';
import { remoteCustomer } from './pipedrive-persons';
import type { PipedriveSettings } from './pipedrive-settings';

/**
 * How long after its update_time a person may first be listed. Pipedrive's API reference documents no such lag for
 * updated_since; the window is a precaution against a change written with a time before one already listed (a
 * write committed late, or a replica behind), and costs only re-reading the persons changed in it.
 */
export const UPDATE_TIME_LAG_MS = 2 * 60_000;

/** Changed customers plus whether more pages wait right now (the index refresh loops on it). */
export type PipedriveChangedCustomers = CrmChangedCustomers & { more: boolean };

/**
 * Persons changed since the cursor, oldest change first (GET /api/v2/persons?updated_since&sort_by=update_time,
 * v2 cursor paging): one page per call, never one request per customer.
 */
export async function listChangedPersons(call: PipedriveCall, settings: PipedriveSettings, cursor: string | null, limit: number): Promise<PipedriveChangedCustomers> {
  const from = readCursor(cursor);
  const req: HttpRequest = {
    method: 'GET',
    url: '/api/v2/persons',
    qs: {
      updated_since: from.since,
      sort_by: 'update_time',
      sort_direction: 'asc',
      limit: Math.max(1, Math.min(limit, 500)),
      cursor: from.page,
      custom_fields: settings.customerIdField,
    },
  };
  const res = await call(req);
  if (!isOk(res)) throw new CrmConfigError('pipedrive', `listing changed persons was refused: ${pipedriveReason(res)}`);
  const answer: Answer = { crm: 'pipedrive', vendor: 'Pipedrive', req, res, then: 'the same page is asked for again' };
  objectBody(answer);
  const env = envelopeOf<unknown>(res);
  const persons = recordsAt(answer, env.data, 'a data list');
  for (const p of persons) {
    if (!idText(p.id)) throw unreadableAnswer(answer, 'with a person without an id');
    recordsAt(answer, p.emails, "a person's emails");
    recordsAt(answer, p.phones, "a person's phones");
  }
  const customers = (persons as unknown as PipedrivePerson[]).map((p) => remoteCustomer(p, settings));
  const newest = customers.reduce((at, c) => Math.max(at, Date.parse(c.updatedAt) || 0), 0);
  const page = env.additional_data?.next_cursor ?? undefined;
  // While paging, keep the filter and follow Pipedrive's cursor. Caught up, the next listing starts a second after the
  // newest change seen (updated_since is inclusive, times have one-second grain), but no later than
  // UPDATE_TIME_LAG_MS before Pipedrive answered (change-overlap.ts): that window is read again, which also covers a
  // change made in the newest second after this read.
  if (page) return { customers, next: writeCursor({ since: from.since, page }), more: true };
  const resume = newest ? newest + 1000 : from.since ? Date.parse(from.since) : undefined;
  const next = resume === undefined ? cursor : writeCursor({ since: rfc3339Seconds(resumeFrom(resume, res, UPDATE_TIME_LAG_MS)) });
  return { customers, next, more: false };
}

interface Cursor {
  /** RFC 3339, whole seconds: Pipedrive refuses fractions in updated_since. */
  since?: string;
  /** Pipedrive's next_cursor while a listing is being paged. */
  page?: string;
}

function writeCursor(c: Cursor): string {
  return `pd1.${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
}

function readCursor(cursor: string | null): Cursor {
  if (!cursor) return {};
  try {
    if (!cursor.startsWith('pd1.')) throw new Error('no pd1 prefix');
    const c = JSON.parse(Buffer.from(cursor.slice(4), 'base64url').toString('utf8')) as Cursor;
    return { ...(typeof c.since === 'string' ? { since: c.since } : {}), ...(typeof c.page === 'string' ? { page: c.page } : {}) };
  } catch {
    throw new CrmConfigError('pipedrive', `the change cursor "${cursor.slice(0, 40)}" was not made by this adapter: pass null to list from the beginning`);
  }
}

function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
