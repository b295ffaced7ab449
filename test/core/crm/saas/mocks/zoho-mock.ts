import type nockApi from 'nock' with { 'resolution-mode': 'import' };

/** nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses. */
export const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * A stateful stand-in for Zoho CRM API v8, built on nock, that behaves as Zoho documents:
 * - OAuth: refresh-token grant at the data centre's accounts server (form fields, as Zoho's SDK sends them), answer
 *   with `api_domain`; a refused refresh token answers 200 `{"error":"invalid_code"}`; API calls need
 *   `Authorization: Zoho-oauthtoken …`, else 401 INVALID_TOKEN;
 * - upsert (`POST /crm/v8/{module}/upsert`): at most 100 records, `duplicate_check_fields` in order, unique fields,
 *   mandatory fields on insert, per-record results in request order (SUCCESS with action insert/update,
 *   INVALID_DATA (a wrong type, or a value longer than the field's length), MANDATORY_NOT_FOUND, DUPLICATE_DATA), 200 / 207 / 400 by how many failed;
 * - blueprints: a record in one refuses a change of the blueprint's field (a deal's Stage) with RECORD_IN_BLUEPRINT,
 *   as only a transition may make it (Zoho's "Update Blueprint" API; the message is the one integrators report);
 * - GET records with `If-Modified-Since`, `sort_by`/`sort_order`, `page`/`per_page` up to 2,000 records then
 *   `page_token` (info.more_records / next_page_token), 204 when nothing, 304 when nothing changed;
 * - search by criteria (at most 10 conditions joined by `or`), which v8 "Search Records" lists under the scope
 *   ZohoSearch.securesearch.READ besides the module's (a token without it: 401 OAUTH_SCOPE_MISMATCH), and whose
 *   `equals` "behaves like contains" (cus_1 finds cus_10 too), 200 per page (info.more_records), 2,000 at most;
 * - the org's details (`GET /crm/v8/org`, "Get Organization Data": `{org: [{time_zone, iso_code, …}]}`), which need
 *   the scope ZohoCRM.org.READ (or .ALL): a token without it is answered 401 OAUTH_SCOPE_MISMATCH;
 * - API credits per rolling 24 h (an upsert costs 1 per 10 records) with `X-API-CREDITS-REMAINING` once half is used,
 *   and a concurrency cap: both answer 429 TOO_MANY_REQUESTS;
 * - a seeded fault injector (429 / 5xx / an answer delayed past the client's timeout, written first).
 * Bodies follow the v8 reference samples and the codes/messages of Zoho's SDK (core/com/zoho/crm/api/record).
 */
/** The lengths of the standard layouts' fields this mock checks (Fields metadata API, "length"; see ZOHO_CONTACT_LIMITS). */
const STANDARD_LENGTHS: Record<string, Record<string, number>> = {
  Contacts: { First_Name: 40, Last_Name: 80, Email: 100, Phone: 30, Mobile: 30, Mailing_Street: 250, Mailing_City: 100, Mailing_State: 100, Mailing_Zip: 30, Mailing_Country: 100 },
  Deals: { Deal_Name: 120 },
};

export interface ZohoMockOptions {
  apiDomain?: string;
  accountsUrl?: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlS?: number;
  /** The scopes the refresh token was granted, which its access tokens carry; default modules and org reading. */
  scopes?: string[];
  /**
   * The org's time zone as `GET /crm/v8/org` gives it: default Asia/Kolkata, the reference's example; Zoho may give
   * an abbreviation ("IST", "PST") instead of an IANA name.
   */
  orgTimeZone?: string;
  /** Unique ("Do not allow duplicate values") fields per module. */
  uniqueFields?: Record<string, string[]>;
  dailyCredits?: number;
  concurrencyLimit?: number;
  /** Each API answer takes this long, so concurrent calls overlap. */
  responseDelayMs?: number;
  now?: () => number;
  faults?: FaultOptions;
}

export interface FaultOptions {
  rate429?: number;
  rate5xx?: number;
  rateDelay?: number;
  delayMs?: number;
  seed?: number;
}

export type ZohoRecord = Record<string, unknown> & { id: string; Modified_Time: string; Created_Time: string };

export interface MockCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
  status?: number;
}

type Reply = [number, unknown?, Record<string, string>?];

const DEFAULT_SCOPES = ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ', 'ZohoSearch.securesearch.READ'];
const MANDATORY: Record<string, string[]> = { Contacts: ['Last_Name'], Deals: ['Deal_Name', 'Stage'] };
const MODULES = ['Contacts', 'Deals', 'Leads', 'Accounts'];
const USER = { name: 'Patricia Boyle', id: '5725767000000411001' };
const TOO_MANY = 'The number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded.';

export class ZohoMock {
  readonly apiDomain: string;
  readonly accountsUrl: string;
  readonly modules = new Map<string, Map<string, ZohoRecord>>(MODULES.map((m) => [m, new Map()]));
  readonly calls: MockCall[] = [];
  readonly faultsInjected: { kind: '429' | '5xx' | 'delay'; path: string }[] = [];
  tokenRequests = 0;
  maxInFlight = 0;
  private inFlight = 0;
  /** Each access token of the moment, with the scopes it carries. */
  private readonly accessTokens = new Map<string, readonly string[]>();
  /** When each access token of the last ten minutes was minted. */
  private readonly minted: number[] = [];
  private readonly credits: { at: number; credits: number }[] = [];
  private readonly pageTokens = new Map<string, { offset: number; query: string; since: string | undefined; expiresAt: number }>();
  private nextId = 100001;
  /** Records in a blueprint, with the field its transitions own. */
  private readonly blueprints = new Map<string, string>();
  private readonly now: () => number;
  private readonly rng: () => number;

  constructor(private readonly o: ZohoMockOptions) {
    this.apiDomain = (o.apiDomain ?? 'https://www.zohoapis.com').replace(/\/+$/, '');
    this.accountsUrl = (o.accountsUrl ?? 'https://accounts.zoho.com').replace(/\/+$/, '');
    this.now = o.now ?? Date.now;
    this.rng = mulberry32(o.faults?.seed ?? 1);
  }

  start(): this {
    const api = nock(this.apiDomain).persist();
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      api[method]((_path: string) => true).reply(async (req: Request) => this.handle(req));
    }
    nock(this.accountsUrl)
      .persist()
      .post('/oauth/v2/token')
      .reply(async (req: Request) => this.token(await req.text(), new URL(req.url).searchParams));
    return this;
  }

  /** Puts a record into a blueprint that owns `field`: from now on an upsert may not change that field. */
  enterBlueprint(module: string, id: string, field = 'Stage'): void {
    if (!this.modules.get(module)?.has(id)) throw new Error(`no ${module} record ${id}`);
    this.blueprints.set(id, field);
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  records(module: string): ZohoRecord[] {
    return [...(this.modules.get(module)?.values() ?? [])];
  }

  where(module: string, field: string, value: unknown): ZohoRecord[] {
    return this.records(module).filter((r) => r[field] === value);
  }

  callsTo(method: string, pathPrefix: string): MockCall[] {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(pathPrefix));
  }

  /** A record typed in by hand, as Zoho would store it. */
  seed(module: string, fields: Record<string, unknown>, at = this.now()): ZohoRecord {
    return this.insert(module, fields, at);
  }

  /** Changes a record as a salesperson would in the UI. */
  touch(module: string, id: string, fields: Record<string, unknown>): void {
    const r = this.modules.get(module)!.get(id)!;
    Object.assign(r, fields, { Modified_Time: zohoTime(this.now()) });
  }

  // ---- accounts server ----

  private token(body: string, query: URLSearchParams): Reply {
    this.tokenRequests++;
    const form = new URLSearchParams(body);
    const get = (k: string) => form.get(k) ?? query.get(k);
    if (get('client_id') !== this.o.clientId || get('client_secret') !== this.o.clientSecret) return [200, { error: 'invalid_client' }];
    if (get('grant_type') !== 'refresh_token' || get('refresh_token') !== this.o.refreshToken) return [200, { error: 'invalid_code' }];
    // A refresh token mints at most ten access tokens in ten minutes (v8 "Token validity"; Kaizen #43): still 200.
    const now = this.now();
    while (this.minted.length && this.minted[0]! <= now - 600_000) this.minted.shift();
    if (this.minted.length >= 10) {
      return [200, { error_description: 'You have made too many requests continuously. Please try again after some time.', error: 'Access Denied', status: 'failure' }];
    }
    this.minted.push(now);
    const token = `1000.${this.tokenRequests.toString(16).padStart(8, '0')}xxxxxxxx.mock`;
    const scopes = this.o.scopes ?? DEFAULT_SCOPES;
    this.accessTokens.set(token, scopes);
    return [200, { access_token: token, scope: scopes.join(','), api_domain: this.apiDomain, token_type: 'Bearer', expires_in: this.o.accessTokenTtlS ?? 3600 }];
  }

  // ---- API ----

  private async handle(req: Request): Promise<Reply> {
    const url = new URL(req.url);
    const method = req.method.toUpperCase();
    const text = await req.text();
    const body = text ? safeJson(text) : undefined;
    const headers = Object.fromEntries([...req.headers].map(([k, v]) => [k.toLowerCase(), v]));
    const call: MockCall = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers };
    this.calls.push(call);
    const finish = async (reply: Reply, delayMs = 0): Promise<Reply> => {
      call.status = reply[0];
      if (delayMs > 0) await sleep(delayMs);
      return [reply[0], reply[1] ?? '', { 'content-type': 'application/json;charset=UTF-8', date: new Date(this.now()).toUTCString(), ...reply[2] }];
    };
    const f = this.o.faults;
    let delay = 0;
    if (f) {
      const roll = this.rng();
      if (roll < (f.rate429 ?? 0)) {
        this.faultsInjected.push({ kind: '429', path: url.pathname });
        return finish([429, error('TOO_MANY_REQUESTS', TOO_MANY)]);
      }
      if (roll < (f.rate429 ?? 0) + (f.rate5xx ?? 0)) {
        this.faultsInjected.push({ kind: '5xx', path: url.pathname });
        return finish([500, error('INTERNAL_ERROR', 'Internal server error occurred.')]);
      }
      if (roll < (f.rate429 ?? 0) + (f.rate5xx ?? 0) + (f.rateDelay ?? 0)) {
        this.faultsInjected.push({ kind: 'delay', path: url.pathname });
        delay = f.delayMs ?? 2000;
      }
    }
    const token = /^Zoho-oauthtoken (.+)$/.exec(headers.authorization ?? '')?.[1];
    if (!token || !this.accessTokens.has(token)) return finish([401, error('INVALID_TOKEN', 'invalid oauth token')]);
    if (this.o.concurrencyLimit !== undefined && this.inFlight >= this.o.concurrencyLimit) return finish([429, error('TOO_MANY_REQUESTS', TOO_MANY)]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.o.responseDelayMs) await sleep(this.o.responseDelayMs);
      const cost = url.pathname.endsWith('/upsert') ? Math.max(1, Math.ceil(asArray(asObject(body).data).length / 10)) : 1;
      const credit = this.spend(cost);
      if (credit.refused) return finish([429, error('TOO_MANY_REQUESTS', TOO_MANY), credit.headers]);
      const reply = url.pathname === '/crm/v8/org' ? this.org(method, this.accessTokens.get(token)!) : this.route(method, url, body, headers, this.accessTokens.get(token)!);
      return finish([reply[0], reply[1], { ...credit.headers, ...reply[2] }], delay);
    } finally {
      this.inFlight--;
    }
  }

  /** Rolling 24 h credits; Zoho reports what is left only once half the credits are used. */
  private spend(cost: number): { refused: boolean; headers: Record<string, string> } {
    const daily = this.o.dailyCredits;
    if (daily === undefined) return { refused: false, headers: {} };
    const since = this.now() - 24 * 60 * 60 * 1000;
    const used = this.credits.filter((c) => c.at > since).reduce((s, c) => s + c.credits, 0);
    // A call is let through while any credit is left in the window (Kaizen #93: "check the API credits consumed in
    // the last 24 hours to see whether the current API call can be allowed").
    if (used >= daily) return { refused: true, headers: { 'x-api-credits-remaining': '0' } };
    this.credits.push({ at: this.now(), credits: cost });
    const left = Math.max(0, daily - used - cost);
    return { refused: false, headers: left <= daily / 2 ? { 'x-api-credits-remaining': String(left) } : {} };
  }

  private route(method: string, url: URL, body: unknown, headers: Record<string, string>, scopes: readonly string[]): Reply {
    const m = /^\/crm\/v8\/([A-Za-z_]+)(?:\/(upsert|search))?$/.exec(url.pathname);
    if (!m) return [404, error('INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one')];
    const module = m[1]!;
    if (!this.modules.has(module)) return [400, error('INVALID_MODULE', 'The module name given seems to be invalid')];
    if (method === 'POST' && m[2] === 'upsert') return this.upsert(module, body);
    if (method === 'GET' && m[2] === 'search') {
      if (!scopes.some((s) => /^ZohoSearch\.securesearch\.(READ|ALL)$/i.test(s))) return [401, error('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL')];
      return this.search(module, url.searchParams);
    }
    if (method === 'GET' && !m[2]) return this.list(module, url.searchParams, headers['if-modified-since']);
    return [405, error('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one')];
  }

  // org

  /** "Get Organization Data": one org, as the reference's sample response shows it. */
  private org(method: string, scopes: readonly string[]): Reply {
    if (method !== 'GET') return [405, error('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one')];
    if (!scopes.some((s) => /^ZohoCRM\.org\.(READ|ALL)$/i.test(s))) return [401, error('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL')];
    return [200, {
      org: [{
        country: null, photo_id: null, city: null, description: null, mc_status: false, gapps_enabled: false, domain_name: 'org74822955',
        translation_enabled: false, street: null, alias: null, currency: 'US Dollar', id: '2019230000000452658', state: null, fax: null,
        employee_count: '1', zip: null, website: null, currency_symbol: '$', mobile: null, currency_locale: 'en_US', primary_zuid: '71562802',
        zia_portal_id: null, time_zone: this.o.orgTimeZone ?? 'Asia/Kolkata', zgid: '74822955', country_code: 'US',
        license_details: { paid_expiry: null, users_license_purchased: 3, trial_type: null, trial_expiry: null, paid: true, paid_type: 'enterprise' },
        phone: null, company_name: 'Zylker', privacy_settings: false, primary_email: 'p.boyle@zylker.com', iso_code: 'USD',
      }],
    }];
  }

  // upsert

  private upsert(module: string, body: unknown): Reply {
    const data = asArray(asObject(body).data);
    if (data.length > 100) return [400, error('LIMIT_EXCEEDED', 'Record count exceeded', { limit: 100 })];
    const unique = this.uniqueOf(module);
    const dupFields = asArray(asObject(body).duplicate_check_fields).map(String);
    const checks = dupFields.length ? dupFields : [...unique, ...(module === 'Contacts' ? ['Email'] : [])];
    const results = data.map((raw, i) => this.upsertOne(module, asObject(raw), i, checks, unique));
    const failed = results.filter((r) => r.status === 'error').length;
    return [failed === 0 ? 200 : failed === results.length ? 400 : 207, { data: results }];
  }

  private upsertOne(module: string, rec: Record<string, unknown>, i: number, checks: string[], unique: string[]): Record<string, unknown> {
    const invalid = this.invalidField(module, rec, i);
    if (invalid) return invalid;
    let target: ZohoRecord | undefined;
    let matchedOn: string | null = null;
    for (const field of checks) {
      const v = rec[field];
      if (v === undefined || v === null || v === '') continue;
      const same = this.records(module).filter((r) => equalValue(field, r[field], v));
      if (same.length > 1) return recordError('DUPLICATE_DATA', 'duplicate data', { api_name: field, json_path: `$.data[${i}].${field}`, id: same[0]!.id, duplicate_record: { id: same[1]!.id, module: { api_name: module } } });
      if (same.length === 1) {
        target = same[0];
        matchedOn = field;
        break;
      }
    }
    // A unique field may not take a value another record already holds.
    for (const field of unique) {
      const v = rec[field];
      if (v === undefined || v === null || v === '') continue;
      const other = this.records(module).find((r) => r.id !== target?.id && equalValue(field, r[field], v));
      if (other) return recordError('DUPLICATE_DATA', 'duplicate data', { api_name: field, json_path: `$.data[${i}].${field}`, id: other.id, duplicate_record: { id: other.id, module: { api_name: module } } });
    }
    const owned = target && this.blueprints.get(target.id);
    if (owned && rec[owned] !== undefined && !equalValue(owned, target![owned], rec[owned])) {
      return recordError('RECORD_IN_BLUEPRINT', `${owned} cannot be updated as it is in the blueprint`, { api_name: owned, json_path: `$.data[${i}].${owned}`, id: target!.id });
    }
    const at = this.now();
    if (target) {
      Object.assign(target, rec, { Modified_Time: zohoTime(at), Modified_By: USER });
      if (module === 'Contacts') target.Full_Name = fullName(target);
      return success(target, 'update', matchedOn);
    }
    const missing = (MANDATORY[module] ?? []).find((f) => rec[f] === undefined || rec[f] === null || rec[f] === '');
    if (missing) return recordError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: missing, json_path: `$.data[${i}].${missing}` });
    return success(this.insert(module, rec, at), 'insert', null);
  }

  private insert(module: string, rec: Record<string, unknown>, at: number): ZohoRecord {
    const id = `5725767000000${String(this.nextId++)}`;
    const r: ZohoRecord = { ...rec, id, Created_Time: zohoTime(at), Modified_Time: zohoTime(at), Created_By: USER, Modified_By: USER, Owner: { ...USER, email: 'p.boyle@zylker.com' } };
    if (module === 'Contacts') r.Full_Name = fullName(r);
    this.modules.get(module)!.set(id, r);
    return r;
  }

  /** Field types of the standard layouts this mock knows; a wrong type answers INVALID_DATA with the expected type. */
  private invalidField(module: string, rec: Record<string, unknown>, i: number): Record<string, unknown> | undefined {
    const bad = (api_name: string, expected_data_type: string) => recordError('INVALID_DATA', 'invalid data', { expected_data_type, api_name, json_path: `$.data[${i}].${api_name}` });
    // "Insert Records" / "Upsert Records": INVALID_DATA when a value is longer than the field's length (Fields metadata
    // API: First_Name 40, Last_Name 80; an email field 100, a phone field 30; Mailing_Street 250, Mailing_City, _State and
    // _Country 100, Mailing_Zip 30, as the Leads fields they convert from; Deal_Name 120).
    for (const [api_name, max] of Object.entries(STANDARD_LENGTHS[module] ?? {})) {
      const v = rec[api_name];
      if (typeof v === 'string' && v.length > max) return recordError('INVALID_DATA', 'invalid data', { maximum_length: max, api_name, json_path: `$.data[${i}].${api_name}` });
    }
    if (rec.Email !== undefined && !(typeof rec.Email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(rec.Email))) return bad('Email', 'email');
    for (const f of ['Date_of_Birth', 'Closing_Date']) if (rec[f] !== undefined && !(typeof rec[f] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(rec[f] as string))) return bad(f, 'date');
    if (rec.Amount !== undefined && typeof rec.Amount !== 'number') return bad('Amount', 'double');
    if (module === 'Deals' && rec.Contact_Name !== undefined) {
      const id = asObject(rec.Contact_Name).id;
      if (typeof id !== 'string' || !this.modules.get('Contacts')!.has(id)) return bad('Contact_Name', 'lookup');
    }
    return undefined;
  }

  private uniqueOf(module: string): string[] {
    return (this.o.uniqueFields ?? { Contacts: ['Terminal_CRM_Id'], Deals: ['Terminal_Payment_Key'] })[module] ?? [];
  }

  // GET records

  private list(module: string, q: URLSearchParams, since: string | undefined): Reply {
    const fields = q.get('fields');
    if (!fields) return [400, error('REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'fields' })];
    const perPage = Number(q.get('per_page') ?? 200);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200) return [400, error('INVALID_DATA', 'invalid data', { param_name: 'per_page' })];
    const tokenName = q.get('page_token');
    let offset: number;
    let page: number;
    if (tokenName) {
      const t = this.pageTokens.get(tokenName);
      // Tokens expire a day after they were handed out (info.page_token_expiry).
      if (!t || t.expiresAt <= this.now()) return [400, error('INVALID_DATA', 'invalid data', { param_name: 'page_token' })];
      offset = t.offset;
      since = t.since;
      page = Math.floor(offset / perPage) + 1;
    } else {
      page = Number(q.get('page') ?? 1);
      offset = (page - 1) * perPage;
      if (offset + perPage > 2000) return [400, error('DISCRETE_PAGINATION_LIMIT_EXCEEDED', 'cannot fetch more than 2000 records with page, use page_token', {})];
    }
    const sortBy = q.get('sort_by') ?? 'id';
    const desc = q.get('sort_order') === 'desc';
    const sinceMs = since ? Date.parse(since) : undefined;
    if (since !== undefined && Number.isNaN(sinceMs)) return [400, error('INVALID_DATA', 'invalid data', { header_name: 'If-Modified-Since' })];
    const rows = this.records(module)
      .filter((r) => sinceMs === undefined || Date.parse(r.Modified_Time) > sinceMs)
      .sort((a, b) => (desc ? -1 : 1) * (compare(a[sortBy], b[sortBy]) || compare(a.id, b.id)));
    if (rows.length === 0) return since !== undefined ? [304] : [204];
    const slice = rows.slice(offset, offset + perPage);
    if (slice.length === 0) return [204];
    const more = offset + perPage < rows.length;
    let next: string | null = null;
    if (more) {
      next = `${this.pageTokens.size + 1}${'f'.repeat(20)}`;
      this.pageTokens.set(next, { offset: offset + perPage, query: q.toString(), since, expiresAt: this.now() + 86_400_000 });
    }
    const wanted = fields.split(',');
    return [200, {
      data: slice.map((r) => ({ ...Object.fromEntries(wanted.filter((f) => f in r).map((f) => [f, r[f]])), id: r.id })),
      info: { per_page: perPage, next_page_token: next, count: slice.length, sort_by: sortBy, page, previous_page_token: null, page_token_expiry: next ? zohoTime(this.now() + 86_400_000) : null, sort_order: desc ? 'desc' : 'asc', more_records: more },
    }];
  }

  // search

  private search(module: string, q: URLSearchParams): Reply {
    const criteria = q.get('criteria') ?? '';
    const conditions = [...criteria.matchAll(/\(([A-Za-z0-9_]+):equals:((?:\\.|[^()\\])*)\)/g)].map((m) => ({ field: m[1]!, value: m[2]!.replace(/\\(.)/g, '$1') }));
    const rest = criteria.replace(/\(([A-Za-z0-9_]+):equals:((?:\\.|[^()\\])*)\)/g, '').replace(/[()]|or/g, '');
    if (conditions.length === 0 || rest.trim() !== '') return [400, error('INVALID_QUERY', 'invalid query formed', { reason: 'invalid criteria' })];
    if (conditions.length > 10) return [400, error('INVALID_QUERY', 'invalid query formed', { reason: 'more than 10 criteria' })];
    // v8: "When using the equals operator in the Search API, it behaves like contains".
    const rows = this.records(module).filter((r) => conditions.some((c) => String(r[c.field] ?? '').toLowerCase().includes(c.value.toLowerCase())));
    if (rows.length === 0) return [204];
    const perPage = Number(q.get('per_page') ?? 200);
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200) return [400, error('INVALID_DATA', 'invalid data', { param_name: 'per_page' })];
    if (!Number.isInteger(page) || page < 1) return [400, error('INVALID_DATA', 'invalid data', { param_name: 'page' })];
    // Search reaches the first 2,000 records only.
    if (page * perPage > 2000) return [400, error('LIMIT_REACHED', 'maximum limit reached', { limit: 2000 })];
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return [204];
    const fields = q.get('fields')?.split(',');
    return [200, {
      data: slice.map((r) => (fields ? { ...Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])), id: r.id } : r)),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < rows.length },
    }];
  }
}

function success(r: ZohoRecord, action: 'insert' | 'update', duplicateField: string | null): Record<string, unknown> {
  return {
    code: 'SUCCESS',
    duplicate_field: duplicateField,
    action,
    details: { Modified_Time: r.Modified_Time, Modified_By: r.Modified_By, Created_Time: r.Created_Time, id: r.id, Created_By: r.Created_By },
    message: action === 'insert' ? 'record added' : 'record updated',
    status: 'success',
  };
}

const recordError = (code: string, message: string, details: Record<string, unknown>) => ({ code, details, message, status: 'error' });
const error = (code: string, message: string, details: Record<string, unknown> = {}) => ({ code, details, message, status: 'error' });

function fullName(r: Record<string, unknown>): string {
  return [r.First_Name, r.Last_Name].filter((x) => typeof x === 'string' && x).join(' ');
}

function equalValue(field: string, a: unknown, b: unknown): boolean {
  return field === 'Email' && typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function compare(a: unknown, b: unknown): number {
  const ta = typeof a === 'string' ? Date.parse(a) : NaN;
  const tb = typeof b === 'string' ? Date.parse(b) : NaN;
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && !/^\d+$/.test(String(a))) return ta - tb;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

/** Zoho writes times as ISO 8601 with the org's offset, whole seconds: "2019-12-23T16:39:18+05:30". */
export function zohoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
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
