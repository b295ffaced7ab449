import type nockApi from 'nock' with { 'resolution-mode': 'import' };

/** nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses. */
export const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * A stateful stand-in for Pipedrive's API v2, built on nock, that behaves as Pipedrive documents:
 * - auth: `x-api-token`, or `Authorization: Bearer` tokens from the OAuth server (refresh grant with HTTP Basic client
 *   credentials, as the official SDK's `tokenRefresh` sends it; answer with `api_domain`), 401 with Pipedrive's body;
 * - the burst limit per token per rolling 2 s (search endpoints 10 per window on every plan), the daily token budget,
 *   `x-ratelimit-*` / `x-daily-ratelimit-token-*` headers on every answer, 429 with `Retry-After` (docs: "Rate limiting");
 * - no batch endpoints (one record per request); persons and deals with custom fields keyed by 40-hex keys;
 * - search that only sees new records after an indexing lag, exact_match only for terms of ≤ 30 characters
 *   (v1 itemSearch, which v2 search wraps), cursor paging (`additional_data.next_cursor`);
 * - validation errors as 400 `{success:false, error, code, error_info, data:null, additional_data:null}`;
 * - a seeded fault injector (429 / 5xx / an answer delayed past the client's timeout, written first).
 * Response bodies follow the SDK's v2 models (pipedrive/client-nodejs src/versions/v2/models) and the API reference.
 */
export interface PipedriveMockOptions {
  baseUrl?: string;
  apiToken?: string;
  oauth?: { clientId: string; clientSecret: string; refreshToken: string; tokenUrl?: string; accessTokenTtlS?: number };
  customerIdField: string;
  paymentKeyField: string;
  /** More person custom field keys the company has (segment, loyalty…). */
  personFields?: string[];
  /** Currencies the company has enabled for deals. */
  currencies?: string[];
  burst?: { requestsPerWindow: number; searchPerWindow?: number; windowMs?: number };
  dailyTokenBudget?: number;
  /**
   * How the used-up budget's 429 reads. Pipedrive documents only that it is a 429, so by default it carries
   * `x-daily-ratelimit-token-remaining: 0`; `tokenHeaders: false` leaves the headers out (Pipedrive's staff: they can
   * be missing for a few requests), with the error and `Retry-After` given here (one integrator observed "daily
   * request budget exceeded" with a Retry-After of about an hour).
   */
  dailyBudgetReply?: { tokenHeaders?: boolean; error?: string; retryAfterS?: number };
  /** New records become searchable only after this long (Pipedrive indexes asynchronously). */
  searchLagMs?: number;
  /**
   * The plan's cap on open deals: creating one more open deal answers 403 with code feature_capping_deals_limit
   * (Pipedrive changelog, "New error message and code for POST /deals").
   */
  openDealsLimit?: number;
  now?: () => number;
  faults?: FaultOptions;
}

export interface FaultOptions {
  /** Fractions of API calls answered with a fault, each rolled from a seeded RNG. */
  rate429?: number;
  rate5xx?: number;
  /** Answered only after `delayMs`, past the client's timeout; the write itself happens (a lost answer). */
  rateDelay?: number;
  delayMs?: number;
  seed?: number;
}

export interface MockPerson {
  id: number;
  name: string;
  first_name: string | null;
  last_name: string | null;
  owner_id: number;
  org_id: number | null;
  picture_id: number | null;
  add_time: string;
  update_time: string;
  emails: { value: string; primary: boolean; label: string }[];
  phones: { value: string; primary: boolean; label: string }[];
  is_deleted: boolean;
  visible_to: number;
  label_ids: number[];
  custom_fields: Record<string, unknown>;
}

export interface MockDeal {
  id: number;
  title: string;
  owner_id: number;
  person_id: number | null;
  org_id: number | null;
  pipeline_id: number;
  stage_id: number;
  value: number;
  currency: string;
  add_time: string;
  update_time: string;
  status: 'open' | 'won' | 'lost';
  lost_reason: string | null;
  /** Set by Pipedrive when the status becomes won (or lost), unless the request gives it (SDK AddDealRequest). */
  won_time: string | null;
  lost_time: string | null;
  close_time: string | null;
  is_deleted: boolean;
  visible_to: number;
  custom_fields: Record<string, unknown>;
}

export interface MockCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
  status?: number;
}

type Reply = [number, unknown, Record<string, string>?];

const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

export class PipedriveMock {
  private readonly hidden = new Set<number>();
  readonly baseUrl: string;
  readonly persons = new Map<number, MockPerson>();
  readonly deals = new Map<number, MockDeal>();
  readonly calls: MockCall[] = [];
  readonly faultsInjected: { kind: '429' | '5xx' | 'delay'; path: string }[] = [];
  tokenRequests = 0;
  private readonly accessTokens = new Set<string>();
  private readonly hits = new Map<string, number[]>();
  private dailyUsed = 0;
  private nextId = 1;
  private readonly rng: () => number;
  private readonly now: () => number;

  constructor(private readonly o: PipedriveMockOptions) {
    this.baseUrl = (o.baseUrl ?? 'https://api.pipedrive.com').replace(/\/+$/, '');
    this.now = o.now ?? Date.now;
    this.rng = mulberry32(o.faults?.seed ?? 1);
  }

  /** Starts intercepting. Pair with nock.cleanAll() after each test. */
  start(): this {
    const api = nock(this.baseUrl).persist();
    for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const) {
      api[method]((_path: string) => true).reply(async (req: Request) => this.handle(req));
    }
    if (this.o.oauth) {
      const url = new URL(this.o.oauth.tokenUrl ?? 'https://oauth.pipedrive.com/oauth/token');
      nock(url.origin)
        .persist()
        .post(url.pathname)
        .reply(async (req: Request) => this.token(req.headers.get('authorization') ?? '', await req.text()));
    }
    return this;
  }

  /** Every OAuth access token issued so far stops working (Pipedrive's expire after an hour). */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  personsWithCustomerId(externalId: string): MockPerson[] {
    return [...this.persons.values()].filter((p) => !p.is_deleted && p.custom_fields[this.o.customerIdField] === externalId);
  }

  /** A deal in a pipeline the API user cannot see: reading or updating it answers 403 (changelog, pipeline visibility). */
  hideDeal(id: number): void {
    this.hidden.add(id);
  }

  dealsWithPaymentKey(key: string): MockDeal[] {
    return [...this.deals.values()].filter((d) => !d.is_deleted && d.custom_fields[this.o.paymentKeyField] === key);
  }

  callsTo(method: string, pathPrefix: string): MockCall[] {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(pathPrefix));
  }

  /** A person a salesperson typed in (or a duplicate), as Pipedrive would store it. */
  seedPerson(p: { name: string; email?: string; customerId?: string; custom?: Record<string, unknown>; at?: number }): MockPerson {
    return this.insertPerson({
      name: p.name,
      emails: p.email ? [{ value: p.email, primary: true, label: 'work' }] : [],
      custom_fields: { ...(p.customerId ? { [this.o.customerIdField]: p.customerId } : {}), ...p.custom },
    }, p.at);
  }

  // ---- the OAuth server ----

  private token(authorization: string, body: string): Reply {
    this.tokenRequests++;
    const o = this.o.oauth!;
    const form = new URLSearchParams(body);
    const basic = `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`;
    if (authorization !== basic) return [401, { error: 'invalid_client', error_description: 'Invalid client credentials' }];
    if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== o.refreshToken) {
      return [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }];
    }
    const access = `v1u:pd-at-${this.tokenRequests}`;
    this.accessTokens.add(access);
    // Shape of the token answer: SDK TokenResponse (src/versions/v2/configuration.ts).
    return [200, { access_token: access, token_type: 'Bearer', refresh_token: o.refreshToken, scope: 'base,deals:full,contacts:full', expires_in: o.accessTokenTtlS ?? 3599, api_domain: this.baseUrl }];
  }

  // ---- the API ----

  private async handle(req: Request): Promise<Reply> {
    const url = new URL(req.url);
    const method = req.method.toUpperCase();
    const text = await req.text();
    const body = text ? safeJson(text) : undefined;
    const headers = Object.fromEntries([...req.headers].map(([k, v]) => [k.toLowerCase(), v]));
    const call: MockCall = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers };
    this.calls.push(call);
    const done = async (reply: Reply, delayMs = 0): Promise<Reply> => {
      call.status = reply[0];
      const out: Reply = [reply[0], reply[1], { 'content-type': 'application/json', date: new Date(this.now()).toUTCString(), ...this.limitHeaders(headers), ...reply[2] }];
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return out;
    };
    const f = this.o.faults;
    if (f) {
      const roll = this.rng();
      const r429 = f.rate429 ?? 0;
      const r5xx = f.rate5xx ?? 0;
      if (roll < r429) {
        this.faultsInjected.push({ kind: '429', path: url.pathname });
        return done([429, { success: false, error: 'Too Many Requests', errorCode: 429, error_info: ERROR_INFO }, { 'retry-after': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' }]);
      }
      if (roll < r429 + r5xx) {
        this.faultsInjected.push({ kind: '5xx', path: url.pathname });
        return done([503, { success: false, error: 'Service Unavailable', errorCode: 503, error_info: ERROR_INFO }]);
      }
      if (roll < r429 + r5xx + (f.rateDelay ?? 0)) {
        this.faultsInjected.push({ kind: 'delay', path: url.pathname });
        return done(this.authorised(method, url, body, headers), f.delayMs ?? 2000);
      }
    }
    return done(this.authorised(method, url, body, headers));
  }

  private authorised(method: string, url: URL, body: unknown, headers: Record<string, string>): Reply {
    const who = this.caller(headers);
    // Pipedrive answers the same body for any refused credential (observed: "unauthorized access", errorCode 401).
    if (!who) return [401, { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' }];
    const search = url.pathname.endsWith('/search');
    const limited = this.burst(who, search);
    if (limited) return limited;
    const cost = search ? 20 : method === 'GET' ? (/\/\d+$/.test(url.pathname) ? 1 : 10) : 5;
    if (this.o.dailyTokenBudget !== undefined && this.dailyUsed + cost > this.o.dailyTokenBudget) {
      const r = this.o.dailyBudgetReply ?? {};
      const tokenHeaders: Record<string, string> = r.tokenHeaders === false ? {} : { 'x-daily-ratelimit-token-remaining': '0' };
      return [429, { success: false, error: r.error ?? 'Daily token budget exceeded', errorCode: 429, error_info: ERROR_INFO }, { ...tokenHeaders, 'retry-after': String(r.retryAfterS ?? 3) }];
    }
    this.dailyUsed += cost;
    return this.route(method, url, body);
  }

  private caller(headers: Record<string, string>): string | undefined {
    if (this.o.apiToken && headers['x-api-token'] === this.o.apiToken) return `token:${this.o.apiToken}`;
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    return bearer && this.accessTokens.has(bearer) ? `oauth:${bearer}` : undefined;
  }

  /** Rolling window per token; search has its own, smaller one. */
  private burst(who: string, search: boolean): Reply | undefined {
    const b = this.o.burst;
    if (!b) return undefined;
    const windowMs = b.windowMs ?? 2000;
    const now = this.now();
    const check = (key: string, limit: number): Reply | undefined => {
      const list = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
      this.hits.set(key, list);
      if (list.length >= limit) {
        const reset = String(Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000)));
        return [429, { success: false, error: 'Too Many Requests', errorCode: 429, error_info: ERROR_INFO }, { 'retry-after': reset, 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }];
      }
      list.push(now);
      return undefined;
    };
    return (search ? check(`${who}:search`, b.searchPerWindow ?? 10) : undefined) ?? check(who, b.requestsPerWindow);
  }

  private limitHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    const b = this.o.burst;
    const who = this.caller(headers);
    if (b && who) {
      const used = (this.hits.get(who) ?? []).length;
      out['x-ratelimit-limit'] = String(b.requestsPerWindow);
      out['x-ratelimit-remaining'] = String(Math.max(0, b.requestsPerWindow - used));
      out['x-ratelimit-reset'] = '2';
    }
    if (this.o.dailyTokenBudget !== undefined) {
      out['x-daily-ratelimit-token-limit'] = String(this.o.dailyTokenBudget);
      out['x-daily-ratelimit-token-remaining'] = String(Math.max(0, this.o.dailyTokenBudget - this.dailyUsed));
    }
    return out;
  }

  private route(method: string, url: URL, body: unknown): Reply {
    const p = url.pathname;
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/api/v2/persons/search') return this.search('person', q);
    if (method === 'GET' && p === '/api/v2/deals/search') return this.search('deal', q);
    if (method === 'GET' && p === '/api/v2/persons') return this.listPersons(q);
    if (method === 'POST' && p === '/api/v2/persons') return this.createPerson(body);
    if (method === 'POST' && p === '/api/v2/deals') return this.createDeal(body);
    if ((m = /^\/api\/v2\/(persons|deals)\/(\d+)$/.exec(p))) {
      const id = Number(m[2]);
      const rec = m[1] === 'persons' ? this.persons.get(id) : this.deals.get(id);
      if (!rec || rec.is_deleted) return notFound(m[1] === 'persons' ? 'Person not found' : 'Deal not found');
      if (m[1] === 'deals' && this.hidden.has(id)) return forbidden('You do not have permission to access this deal.');
      if (method === 'GET') return tooManyCustomFields(q) ?? ok(onlyFields(rec, q.get('custom_fields')));
      if (method === 'PATCH') return m[1] === 'persons' ? this.updatePerson(rec as MockPerson, body) : this.updateDeal(rec as MockDeal, body);
    }
    return notFound(`Unknown method ${method} ${p}`);
  }

  // persons

  private createPerson(body: unknown): Reply {
    const b = asObject(body);
    if (typeof b.name !== 'string' || !b.name.trim()) return invalid('Name must be given.');
    const bad = this.badPersonFields(b);
    if (bad) return bad;
    return ok(this.insertPerson(b), 201);
  }

  private insertPerson(b: Record<string, unknown>, at = this.now()): MockPerson {
    const name = String(b.name);
    const [first, ...rest] = name.split(' ');
    const person: MockPerson = {
      id: this.nextId++,
      name,
      first_name: first ?? null,
      last_name: rest.length ? rest.join(' ') : null,
      owner_id: 1,
      org_id: null,
      picture_id: null,
      add_time: stamp(at),
      update_time: stamp(at),
      emails: (b.emails as MockPerson['emails'] | undefined) ?? [],
      phones: (b.phones as MockPerson['phones'] | undefined) ?? [],
      is_deleted: false,
      visible_to: 3,
      label_ids: [],
      custom_fields: { ...(b.custom_fields as Record<string, unknown> | undefined) },
    };
    this.persons.set(person.id, person);
    return person;
  }

  private updatePerson(person: MockPerson, body: unknown): Reply {
    const b = asObject(body);
    if ('name' in b && (typeof b.name !== 'string' || !b.name.trim())) return invalid('Name must be given.');
    const bad = this.badPersonFields(b);
    if (bad) return bad;
    if (typeof b.name === 'string') {
      person.name = b.name;
      const [first, ...rest] = b.name.split(' ');
      person.first_name = first ?? null;
      person.last_name = rest.length ? rest.join(' ') : null;
    }
    if (b.emails) person.emails = b.emails as MockPerson['emails'];
    if (b.phones) person.phones = b.phones as MockPerson['phones'];
    if (b.custom_fields) Object.assign(person.custom_fields, b.custom_fields);
    person.update_time = stamp(this.now());
    return ok(person);
  }

  private badPersonFields(b: Record<string, unknown>): Reply | undefined {
    for (const list of ['emails', 'phones'] as const) {
      const v = b[list];
      if (v !== undefined && (!Array.isArray(v) || v.some((e) => typeof e !== 'object' || typeof (e as { value?: unknown }).value !== 'string'))) {
        return invalid(`Validation failed: ${list}: must be an array of objects with a string value`, 'ERR_SCHEMA_VALIDATION_FAILED');
      }
    }
    return this.unknownCustomFields(b.custom_fields, [this.o.customerIdField, ...(this.o.personFields ?? [])]);
  }

  private unknownCustomFields(custom: unknown, known: string[]): Reply | undefined {
    if (custom === undefined) return undefined;
    const unknown = Object.keys(asObject(custom)).find((k) => !known.includes(k));
    return unknown ? invalid(`Validation failed: custom_fields: field ${unknown} does not exist`, 'ERR_SCHEMA_VALIDATION_FAILED') : undefined;
  }

  private listPersons(q: URLSearchParams): Reply {
    const since = q.get('updated_since');
    if (since !== null && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(since)) {
      return invalid(`Validation failed: updated_since: '${since}' is not a valid datetime`, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
    const limit = Number(q.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return invalid('Validation failed: limit: must be between 1 and 500', 'ERR_SCHEMA_VALIDATION_FAILED');
    const sortBy = q.get('sort_by');
    if (sortBy !== null && !['id', 'update_time', 'add_time'].includes(sortBy)) return invalid('Validation failed: sort_by: must be one of id, update_time, add_time', 'ERR_SCHEMA_VALIDATION_FAILED');
    const direction = q.get('sort_direction');
    if (direction !== null && direction !== 'asc' && direction !== 'desc') return invalid('Validation failed: sort_direction: must be one of asc, desc', 'ERR_SCHEMA_VALIDATION_FAILED');
    const tooMany = tooManyCustomFields(q);
    if (tooMany) return tooMany;
    const desc = direction === 'desc';
    const rows = [...this.persons.values()]
      .filter((p) => !p.is_deleted && (since === null || Date.parse(p.update_time) >= Date.parse(since)))
      .sort((a, b) => (desc ? -1 : 1) * (Date.parse(a.update_time) - Date.parse(b.update_time) || a.id - b.id));
    return page(rows.map((r) => onlyFields(r, q.get('custom_fields'))), q, limit);
  }

  // deals

  private createDeal(body: unknown): Reply {
    const b = asObject(body);
    if (typeof b.title !== 'string' || !b.title.trim()) return invalid('Validation failed: title: Field is required', 'ERR_SCHEMA_VALIDATION_FAILED');
    const bad = this.badDealFields(b);
    if (bad) return bad;
    const open = [...this.deals.values()].filter((d) => !d.is_deleted && d.status === 'open').length;
    if ((b.status ?? 'open') === 'open' && this.o.openDealsLimit !== undefined && open >= this.o.openDealsLimit) {
      return [403, { success: false, error: "Couldn't add the deal. Open deals limit reached.", code: 'feature_capping_deals_limit', error_info: ERROR_INFO, data: null, additional_data: null }];
    }
    const at = stamp(this.now());
    const deal: MockDeal = {
      id: this.nextId++,
      title: b.title,
      owner_id: 1,
      person_id: (b.person_id as number | undefined) ?? null,
      org_id: null,
      pipeline_id: 1,
      stage_id: 1,
      value: (b.value as number | undefined) ?? 0,
      currency: (b.currency as string | undefined) ?? 'USD',
      add_time: at,
      update_time: at,
      status: (b.status as MockDeal['status'] | undefined) ?? 'open',
      lost_reason: (b.lost_reason as string | undefined) ?? null,
      won_time: null,
      lost_time: null,
      close_time: null,
      is_deleted: false,
      visible_to: 3,
      custom_fields: { ...(b.custom_fields as Record<string, unknown> | undefined) },
    };
    closeTimes(deal, b, null, at);
    this.deals.set(deal.id, deal);
    return ok(deal, 201);
  }

  private updateDeal(deal: MockDeal, body: unknown): Reply {
    const b = asObject(body);
    const bad = this.badDealFields(b, deal.status);
    if (bad) return bad;
    const was = deal.status;
    for (const k of ['title', 'value', 'currency', 'status', 'person_id'] as const) if (k in b) (deal as unknown as Record<string, unknown>)[k] = b[k];
    deal.lost_reason = deal.status === 'lost' ? ((b.lost_reason as string | undefined) ?? deal.lost_reason) : null;
    if (b.custom_fields) Object.assign(deal.custom_fields, b.custom_fields);
    deal.update_time = stamp(this.now());
    closeTimes(deal, b, was, deal.update_time);
    return ok(deal);
  }

  /** `current`: the status of the deal a PATCH changes, which the body's own status (if any) replaces. */
  private badDealFields(b: Record<string, unknown>, current?: MockDeal['status']): Reply | undefined {
    const status = b.status ?? current;
    // API v2 is strict about types: numbers as numbers (v2 migration guide).
    if ('value' in b && typeof b.value !== 'number') return invalid('Validation failed: value: must be a number', 'ERR_SCHEMA_VALIDATION_FAILED');
    if ('status' in b && !['open', 'won', 'lost'].includes(String(b.status))) return invalid('Validation failed: status: must be one of open, won, lost', 'ERR_SCHEMA_VALIDATION_FAILED');
    if ('lost_reason' in b && b.status !== 'lost') return invalid('Lost reason can only be set if deal status is lost.');
    // "Can only be set if deal status is won" / "… lost" / "… won or lost" (SDK AddDealRequest, UpdateDealRequest).
    if ('won_time' in b && status !== 'won') return invalid('Won time can only be set if deal status is won.');
    if ('lost_time' in b && status !== 'lost') return invalid('Lost time can only be set if deal status is lost.');
    if ('close_time' in b && status !== 'won' && status !== 'lost') return invalid('Close time can only be set if deal status is won or lost.');
    for (const k of ['won_time', 'lost_time', 'close_time'] as const) {
      // v2 takes RFC 3339 timestamps only (migration guide); v1's "YYYY-MM-DD HH:MM:SS" is refused.
      if (k in b && (typeof b[k] !== 'string' || !RFC3339.test(b[k]))) return invalid(`Validation failed: ${k}: must be a valid RFC 3339 date-time`, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
    // Pipedrive v2 dropped add_time from deal requests (client-nodejs 28.0.1): the creation time is Pipedrive's.
    if ('add_time' in b) return invalid('Validation failed: add_time: Unknown field', 'ERR_SCHEMA_VALIDATION_FAILED');
    const currencies = this.o.currencies ?? ['USD', 'EUR', 'GBP', 'JPY', 'KWD'];
    if ('currency' in b && !currencies.includes(String(b.currency))) return invalid(`Currency ${String(b.currency)} is not enabled for this company.`);
    if ('person_id' in b && !this.persons.get(Number(b.person_id))) return invalid(`Person with id ${String(b.person_id)} not found.`);
    return this.unknownCustomFields(b.custom_fields, [this.o.paymentKeyField]);
  }

  // search (GET /api/v2/{persons,deals}/search; items as SDK GetPersonSearchResponseAllOfDataItemsInner)

  private search(type: 'person' | 'deal', q: URLSearchParams): Reply {
    const term = q.get('term') ?? '';
    const exact = q.get('exact_match') === 'true';
    if (term.length < (exact ? 1 : 2)) return invalid('Validation failed: term: must be at least 2 characters long', 'ERR_SCHEMA_VALIDATION_FAILED');
    const limit = Number(q.get('limit') ?? 100);
    const refused = badSearchQuery(type, q, limit);
    if (refused) return refused;
    const fields = (q.get('fields') ?? (type === 'person' ? 'custom_fields,email,name,phone,notes' : 'custom_fields,notes,title')).split(',');
    const lag = this.o.searchLagMs ?? 0;
    const visible = (at: string) => Date.parse(at) <= this.now() - lag;
    const hit = (v: unknown) => {
      if (typeof v !== 'string' && typeof v !== 'number') return false;
      const s = String(v).toLowerCase();
      const t = term.toLowerCase();
      // Exact matching only works for terms of 30 characters or less (itemSearch reference).
      return exact ? term.length <= 30 && s === t : s.includes(t);
    };
    const customValues = (c: Record<string, unknown>) => Object.values(c).filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
    if (type === 'person') {
      const items = [...this.persons.values()]
        .filter((p) => !p.is_deleted && visible(p.add_time))
        .filter(
          (p) =>
            (fields.includes('custom_fields') && customValues(p.custom_fields).some(hit)) ||
            (fields.includes('email') && p.emails.some((e) => hit(e.value))) ||
            (fields.includes('phone') && p.phones.some((e) => hit(e.value))) ||
            (fields.includes('name') && hit(p.name)),
        )
        .map((p) => ({
          result_score: 1,
          item: {
            id: p.id, type: 'person', name: p.name, phones: p.phones.map((x) => x.value), emails: p.emails.map((x) => x.value),
            visible_to: p.visible_to, owner: { id: p.owner_id }, organization: null, custom_fields: customValues(p.custom_fields), notes: [],
          },
        }));
      return page(items, q, limit, true);
    }
    const items = [...this.deals.values()]
      .filter((d) => !d.is_deleted && visible(d.add_time))
      .filter((d) => (fields.includes('custom_fields') && customValues(d.custom_fields).some(hit)) || (fields.includes('title') && hit(d.title)))
      .map((d) => ({
        result_score: 1,
        item: {
          id: d.id, type: 'deal', title: d.title, value: d.value, currency: d.currency, status: d.status, visible_to: d.visible_to,
          owner: { id: d.owner_id }, stage: { id: d.stage_id, name: 'Qualified' }, person: d.person_id ? { id: d.person_id, name: this.persons.get(d.person_id)?.name } : null,
          organization: null, custom_fields: customValues(d.custom_fields), notes: [],
        },
      }));
    return page(items, q, limit, true);
  }
}

/**
 * The search endpoints' parameters as the SDK types them (client-nodejs src/versions/v2/api persons-api.ts
 * searchPersons, deals-api.ts searchDeals): `fields` from its enum (comma-separated), `exact_match` a boolean,
 * `limit` at most 500.
 */
function badSearchQuery(type: 'person' | 'deal', q: URLSearchParams, limit: number): Reply | undefined {
  const allowed = type === 'person' ? ['custom_fields', 'email', 'notes', 'phone', 'name'] : ['custom_fields', 'notes', 'title'];
  const fields = q.get('fields');
  const unknown = fields === null ? undefined : fields.split(',').find((f) => !allowed.includes(f));
  if (unknown !== undefined) return invalid(`Validation failed: fields: '${unknown}' must be one of ${allowed.join(', ')}`, 'ERR_SCHEMA_VALIDATION_FAILED');
  const exact = q.get('exact_match');
  if (exact !== null && exact !== 'true' && exact !== 'false') return invalid('Validation failed: exact_match: must be a boolean', 'ERR_SCHEMA_VALIDATION_FAILED');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return invalid('Validation failed: limit: must be between 1 and 500', 'ERR_SCHEMA_VALIDATION_FAILED');
  return undefined;
}

/** `custom_fields` on the GET endpoints: "A maximum of 15 keys is allowed" (SDK getPerson / getPersons). */
function tooManyCustomFields(q: URLSearchParams): Reply | undefined {
  const keys = q.get('custom_fields');
  return keys !== null && keys.split(',').length > 15 ? invalid('Validation failed: custom_fields: a maximum of 15 keys is allowed', 'ERR_SCHEMA_VALIDATION_FAILED') : undefined;
}

function page(rows: unknown[], q: URLSearchParams, limit: number, wrapItems = false): Reply {
  const start = q.get('cursor') ? Number(Buffer.from(q.get('cursor')!, 'base64url').toString()) : 0;
  const slice = rows.slice(start, start + limit);
  const next = start + limit < rows.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
  return [200, { success: true, data: wrapItems ? { items: slice } : slice, additional_data: { next_cursor: next } }];
}

function onlyFields<T extends { custom_fields: Record<string, unknown> }>(rec: T, keys: string | null): T {
  if (!keys) return rec;
  const wanted = keys.split(',');
  return { ...rec, custom_fields: Object.fromEntries(Object.entries(rec.custom_fields).filter(([k]) => wanted.includes(k))) };
}

const ok = (data: unknown, status = 200): Reply => [status, { success: true, data, additional_data: null }];
const invalid = (error: string, code?: string): Reply => [400, { success: false, error, ...(code ? { code } : {}), error_info: ERROR_INFO, data: null, additional_data: null }];
const forbidden = (error: string): Reply => [403, { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null }];
const notFound = (error: string): Reply => [404, { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null }];

/** v2 timestamps are RFC 3339 in UTC, whole seconds. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * What Pipedrive keeps of when a deal closed: a status that becomes won or lost stamps its time (the request's, else
 * now) and the close time with it; a deal opened again, or won after being lost, drops the other status's time.
 */
function closeTimes(deal: MockDeal, b: Record<string, unknown>, was: MockDeal['status'] | null, at: string): void {
  const given = (k: string) => (typeof b[k] === 'string' ? stamp(Date.parse(b[k])) : undefined);
  if (deal.status === 'won') {
    if (was !== 'won' || 'won_time' in b) deal.won_time = given('won_time') ?? (was === 'won' ? deal.won_time : at);
    deal.lost_time = null;
    deal.close_time = given('close_time') ?? deal.won_time;
  } else if (deal.status === 'lost') {
    if (was !== 'lost' || 'lost_time' in b) deal.lost_time = given('lost_time') ?? (was === 'lost' ? deal.lost_time : at);
    deal.won_time = null;
    deal.close_time = given('close_time') ?? deal.lost_time;
  } else {
    deal.won_time = deal.lost_time = deal.close_time = null;
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Small seeded PRNG, so a fault run is repeatable. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
