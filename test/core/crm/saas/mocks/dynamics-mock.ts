import { randomUUID } from 'node:crypto';

/**
 * A contract mock of the Dataverse Web API (v9.2) and the Entra ID token endpoint, on nock, that keeps state.
 * It answers as Microsoft documents and refuses what Dataverse refuses:
 *
 * - $batch ("Execute batch operations using the Web API"): multipart/mixed in and out, each part
 *   `Content-Type: application/http` + `Content-Transfer-Encoding: binary` and a request with a body declaring
 *   `Content-Type: application/json` (else 400 / 415), change sets atomic, the
 *   batch stopping at the first failed request unless `Prefer: odata.continue-on-error`, at most 1000 operations
 *   (the over-cap message is the one Dataverse returns, as reported in powerapps-docs#1890 and DynamicsWebApi#71);
 * - upsert by alternate key ("Use Upsert to Create or Update a record"): PATCH creates or updates, `If-Match: *`
 *   turns it into an update (404 when absent), `Prefer: return=representation` answers 201/200 with the row,
 *   otherwise 204 with OData-EntityId in key form;
 * - errors `{"error": {"code", "message"}}` ("Compose HTTP requests and handle errors"): the length message
 *   (0x80044331) is the documented example; "A record with the specified key values does not exist in contact
 *   entity" (0x80060891) is Dataverse's text for a missing alternate-key row;
 * - service protection ("Service protection API limits"): 429 with Retry-After in seconds and codes 0x80072322
 *   (requests), 0x80072321 (execution time), 0x80072326 (concurrency), per user over a sliding 5-minute window;
 * - paging ("Page results"): `Prefer: odata.maxpagesize`, `@odata.nextLink` carrying a paging cookie in $skiptoken;
 *   the page says every request for the following pages should use the odata.maxpagesize of the first, and
 *   documents no answer to one that does not, so each list call records the size it asked and the size of the
 *   request its nextLink came from, for a test to compare;
 * - tokens: Entra ID v2.0 client credentials `{token_type, expires_in, ext_expires_in, access_token}`, errors
 *   `{error, error_description: "AADSTS…", error_codes}`; Dataverse answers an expired token 401 with an empty
 *   body and a WWW-Authenticate challenge (RFC 6750).
 */

const APP_USER_ID = 'a3c4e0f2-6b1d-4c55-9e1f-2d7b8c9a0e11';
const BUSINESS_UNIT_ID = '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const PRIVILEGE_ID = 'f3c2b1a0-9e8d-4c7b-a6f5-e4d3c2b1a098';

export type Nock = typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;

type ColumnType = 'string' | 'int' | 'bool' | 'date' | 'datetime' | 'guid';
interface Column {
  type: ColumnType;
  maxLength?: number;
  readOnly?: boolean;
}
interface Table {
  logicalName: string;
  entitySet: string;
  idColumn: string;
  alternateKey: string;
  columns: Map<string, Column>;
  /** Navigation property → [lookup value column, target table]. */
  lookups: Map<string, { valueColumn: string; target: string }>;
}
export type DataverseRow = Record<string, unknown>;
export type FaultKind = 'rate' | 'server' | 'timeout';

export interface MockCall {
  method: string;
  path: string;
  status: number;
  fault?: FaultKind;
  /** For $batch: operations received, change sets among the parts, whether continue-on-error was asked. */
  operations?: number;
  changesets?: number;
  continueOnError?: boolean;
  /** For a list GET: the odata.maxpagesize it asked (undefined: none), and, following a nextLink, that link's. */
  pageSize?: number;
  linkPageSize?: number;
}

export interface DynamicsMockOptions {
  orgUrl?: string;
  authorityUrl?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSec?: number;
  /** The "number of requests" limit and its sliding window (default 6000 per 300 s). */
  requestsPerWindow?: number;
  windowMs?: number;
  now?: () => number;
  faults?: { seed: number; rate?: number; server?: number; timeout?: number; timeoutDelayMs?: number };
  /**
   * Privileges the application user's security role lacks, as `prv<Create|Write><table logical name>`: such an
   * operation answers 403 with 0x80040220 ("Principal user is missing privilege on OTC for entity", Troubleshoot
   * Dataverse client errors), within a $batch as that part's answer.
   */
  missingPrivileges?: string[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const col = (type: ColumnType, maxLength?: number, readOnly = false): Column => ({ type, maxLength, readOnly });

/** Lengths are the contact table's defaults (Dataverse table reference: contact). */
function contactTable(): Table {
  return {
    logicalName: 'contact',
    entitySet: 'contacts',
    idColumn: 'contactid',
    alternateKey: 'terminalcrm_externalid',
    columns: new Map<string, Column>([
      ['contactid', col('guid', undefined, true)],
      ['firstname', col('string', 50)],
      ['lastname', col('string', 50)],
      ['emailaddress1', col('string', 100)],
      ['mobilephone', col('string', 50)],
      ['telephone1', col('string', 50)],
      ['telephone2', col('string', 50)],
      ['address1_line1', col('string', 250)],
      ['address1_line2', col('string', 250)],
      ['address1_line3', col('string', 250)],
      ['address1_city', col('string', 80)],
      ['address1_postalcode', col('string', 20)],
      ['address1_stateorprovince', col('string', 50)],
      ['address1_country', col('string', 80)],
      ['birthdate', col('date')],
      ['terminalcrm_externalid', col('string', 100)],
      ['terminalcrm_segment', col('string', 100)],
      ['terminalcrm_high_value', col('bool')],
      ['terminalcrm_loyalty_tier', col('string', 100)],
      ['terminalcrm_loyalty_points', col('int')],
      ['createdon', col('datetime', undefined, true)],
      ['modifiedon', col('datetime', undefined, true)],
    ]),
    lookups: new Map(),
  };
}

function paymentTable(): Table {
  const s = (n: number) => col('string', n);
  return {
    logicalName: 'terminalcrm_payment',
    entitySet: 'terminalcrm_payments',
    idColumn: 'terminalcrm_paymentid',
    alternateKey: 'terminalcrm_paymentkey',
    columns: new Map<string, Column>([
      ['terminalcrm_paymentid', col('guid', undefined, true)],
      ['terminalcrm_paymentkey', s(100)],
      ['terminalcrm_name', s(100)],
      ['terminalcrm_source', s(40)],
      ['terminalcrm_processorpaymentid', s(100)],
      ['terminalcrm_amountminor', col('int')],
      ['terminalcrm_refundedminor', col('int')],
      ['terminalcrm_currency', s(3)],
      ['terminalcrm_status', s(40)],
      ['terminalcrm_occurredon', col('datetime')],
      ['terminalcrm_cardbrand', s(40)],
      ['terminalcrm_cardlast4', s(4)],
      ['terminalcrm_entrymode', s(40)],
      ['terminalcrm_wallet', s(40)],
      ['terminalcrm_readerid', s(100)],
      ['terminalcrm_locationid', s(100)],
      ['_terminalcrm_contact_value', col('guid', undefined, true)],
      ['createdon', col('datetime', undefined, true)],
      ['modifiedon', col('datetime', undefined, true)],
    ]),
    lookups: new Map([['terminalcrm_Contact', { valueColumn: '_terminalcrm_contact_value', target: 'contact' }]]),
  };
}

interface PartResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}
type Reply = [number, unknown, Record<string, string>?];

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 412: 'Precondition Failed', 429: 'Too Many Requests', 503: 'Service Unavailable' };
const odata = (code: string, message: string) => ({ error: { code, message } });

export class DynamicsMock {
  readonly orgUrl: string;
  readonly authorityUrl: string;
  readonly tenantId: string;
  readonly calls: MockCall[] = [];
  tokenRequests = 0;
  private readonly opts: DynamicsMockOptions;
  private readonly now: () => number;
  private readonly rng: () => number;
  private readonly tables = new Map<string, Table>();
  private readonly data = new Map<string, Map<string, DataverseRow>>();
  private readonly tokens = new Map<string, number>();
  private readonly requestTimes: number[] = [];
  private readonly forced: FaultKind[] = [];
  /** The odata.maxpagesize each nextLink was issued under, by its $skiptoken. */
  private readonly issuedLinks = new Map<string, number | undefined>();
  private version = 1000;

  constructor(options: DynamicsMockOptions = {}) {
    this.opts = options;
    this.orgUrl = options.orgUrl ?? 'https://contoso.crm.dynamics.com';
    this.authorityUrl = options.authorityUrl ?? 'https://login.microsoftonline.com';
    this.tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
    this.now = options.now ?? Date.now;
    this.rng = mulberry32(options.faults?.seed ?? 1);
    for (const t of [contactTable(), paymentTable()]) {
      this.tables.set(t.logicalName, t);
      this.data.set(t.logicalName, new Map());
    }
  }

  install(nock: Nock): this {
    nock(this.authorityUrl)
      .persist()
      .post(/\/oauth2\/v2\.0\/token$/)
      .reply(async (req: Request) => this.token(new URL(req.url).pathname, await req.text()));
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
      nock(this.orgUrl)
        .persist()
        .intercept(/^\/api\/data\//, method)
        // Every answer carries its Date (RFC 9110 §6.6.1), by the mock's clock.
        .reply(async (req: Request) => this.dated(await this.handle(req)));
    }
    return this;
  }

  // ---- state for tests -------------------------------------------------------------------------------------

  private dated(r: Reply): Reply {
    return [r[0], r[1], { date: new Date(this.now()).toUTCString(), ...r[2] }];
  }

  rows(table: 'contact' | 'terminalcrm_payment'): DataverseRow[] {
    return [...this.data.get(table)!.values()].map((r) => ({ ...r }));
  }

  byKey(table: 'contact' | 'terminalcrm_payment', value: string): DataverseRow[] {
    const t = this.tables.get(table)!;
    return this.rows(table).filter((r) => r[t.alternateKey] === value);
  }

  /** A row made around the pack (an import, a person). */
  seed(table: 'contact' | 'terminalcrm_payment', values: DataverseRow): DataverseRow {
    const t = this.tables.get(table)!;
    const stamp = this.stamp();
    const row = { ...values, [t.idColumn]: randomUUID(), createdon: stamp, modifiedon: stamp, '@version': this.version++ };
    this.data.get(table)!.set(String(row[t.idColumn]), row);
    return { ...row };
  }

  edit(table: 'contact' | 'terminalcrm_payment', id: string, values: DataverseRow): void {
    const row = this.data.get(table)!.get(id);
    if (!row) throw new Error(`no ${table} ${id}`);
    Object.assign(row, values, { modifiedon: this.stamp(), '@version': this.version++ });
  }

  /** Revoke every token (the app's secret was rotated, the user disabled): the next call answers 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  failNext(...kinds: FaultKind[]): void {
    this.forced.push(...kinds);
  }

  batches(): MockCall[] {
    return this.calls.filter((c) => c.path.endsWith('/$batch'));
  }

  // ---- Entra ID --------------------------------------------------------------------------------------------

  private token(path: string, body: string): Reply {
    this.tokenRequests++;
    const form = new URLSearchParams(body);
    const trace = 'Trace ID: 0d9ebf4e-5f0a-4c3c-9d5d-6f3b1c2a0e00\r\nCorrelation ID: 5b7e1d6a-1c1f-4c8b-8c59-0f9d2c3e4a11\r\nTimestamp: 2026-03-02 10:00:00Z';
    const entraError = (status: number, error: string, code: number, text: string): Reply => [
      status,
      { error, error_description: `AADSTS${code}: ${text}\r\n${trace}`, error_codes: [code], timestamp: '2026-03-02 10:00:00Z', error_uri: `https://login.microsoftonline.com/error?code=${code}` },
    ];
    if (path !== `/${this.tenantId}/oauth2/v2.0/token`) return entraError(400, 'invalid_request', 90002, `Tenant '${path.split('/')[1]}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== (this.opts.clientId ?? '51f81489-12ee-4a9e-aaae-a2591f45987d')) {
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    }
    if (form.get('client_secret') !== (this.opts.clientSecret ?? 'secret-value')) {
      return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    if (form.get('scope') !== `${this.orgUrl}/.default`) return entraError(400, 'invalid_scope', 70011, "The provided value for the input parameter 'scope' is not valid.");
    const lifetime = this.opts.tokenLifetimeSec ?? 3599;
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomUUID()}`;
    this.tokens.set(token, this.now() + lifetime * 1000);
    return [200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token }];
  }

  // ---- Web API ---------------------------------------------------------------------------------------------

  private async handle(req: Request): Promise<Reply> {
    const url = new URL(req.url);
    const call: MockCall = { method: req.method, path: decodeURIComponent(url.pathname), status: 0 };
    this.calls.push(call);
    const done = (r: Reply): Reply => {
      call.status = r[0];
      return r;
    };
    const token = /^Bearer (.+)$/.exec(req.headers.get('authorization') ?? '')?.[1];
    const expires = token ? this.tokens.get(token) : undefined;
    if (expires === undefined || expires <= this.now()) {
      return done([
        401,
        '',
        { 'www-authenticate': `Bearer error=invalid_token, error_description="Error during token validation!", authorization_uri=${this.authorityUrl}/${this.tenantId}/oauth2/authorize, resource_id=${this.orgUrl}/` },
      ]);
    }
    const limited = this.requestLimit();
    if (limited) return done(limited);
    const fault = this.forced.shift() ?? this.randomFault();
    call.fault = fault;
    if (fault === 'rate') return done([429, odata('0x80072326', 'Number of concurrent requests exceeded the limit of 52.'), { 'retry-after': '2' }]);
    if (fault === 'server') return done([503, odata('0x80040216', 'An unexpected error occurred.')]);
    const text = await req.text();
    const api = '/api/data/v9.2/';
    let reply: Reply;
    if (!url.pathname.startsWith(api)) reply = [404, odata('0x80060888', `Resource not found for the segment '${url.pathname.split('/')[3] ?? ''}'.`)];
    else if (req.method === 'POST' && url.pathname === `${api}$batch`) reply = this.batch(req.headers, text, call);
    else if (req.method === 'GET') reply = this.asReply(this.list(url, req.headers.get('prefer'), call));
    else reply = this.asReply(this.operation(req.method, `${url.pathname.slice(api.length)}${url.search}`, headersOf(req.headers), text));
    if (fault === 'timeout') await new Promise((r) => setTimeout(r, this.opts.faults?.timeoutDelayMs ?? 500));
    return done(reply);
  }

  private requestLimit(): Reply | undefined {
    const now = this.now();
    const windowMs = this.opts.windowMs ?? 300_000;
    const limit = this.opts.requestsPerWindow ?? 6000;
    while (this.requestTimes.length && this.requestTimes[0]! <= now - windowMs) this.requestTimes.shift();
    if (this.requestTimes.length >= limit) {
      const retryAfter = Math.max(1, Math.ceil((this.requestTimes[0]! + windowMs - now) / 1000));
      return [429, odata('0x80072322', `Number of requests exceeded the limit of ${limit} over time window of ${windowMs / 1000} seconds.`), { 'retry-after': String(retryAfter) }];
    }
    this.requestTimes.push(now);
    return undefined;
  }

  private randomFault(): FaultKind | undefined {
    const f = this.opts.faults;
    if (!f) return undefined;
    const roll = this.rng();
    if (roll < (f.rate ?? 0)) return 'rate';
    if (roll < (f.rate ?? 0) + (f.server ?? 0)) return 'server';
    if (roll < (f.rate ?? 0) + (f.server ?? 0) + (f.timeout ?? 0)) return 'timeout';
    return undefined;
  }

  private asReply(r: PartResponse): Reply {
    return [r.status, r.body === undefined ? '' : r.body, r.headers];
  }

  private batch(headers: Headers, text: string, call: MockCall): Reply {
    const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
    if (!boundary) return [400, odata('0x0', 'The batch request must have a "Content-Type" header with a boundary.')];
    const parts = splitMultipart(text, boundary);
    // Each part is `Content-Type: application/http` with `Content-Transfer-Encoding: binary` ("Execute batch
    // operations using the Web API"), or a change set (multipart/mixed) of such parts.
    const httpPart = (head: Record<string, string>) => /^application\/http$/i.test(head['content-type'] ?? '') && /^binary$/i.test(head['content-transfer-encoding'] ?? '');
    let malformed = false;
    const units = parts.map((p) => {
      const { head, content } = splitHead(p);
      const sub = /^multipart\/mixed/i.test(head['content-type'] ?? '') ? /boundary="?([^";]+)"?/.exec(head['content-type'] ?? '')?.[1] : undefined;
      if (sub) {
        const inner = splitMultipart(content, sub).map((c) => splitHead(c));
        if (inner.some((c) => !httpPart(c.head))) malformed = true;
        return { changeset: inner.map((c) => c.content) };
      }
      if (!httpPart(head)) malformed = true;
      return { request: content };
    });
    if (malformed) return [400, odata('0x0', 'The batch request part must have "Content-Type: application/http" and "Content-Transfer-Encoding: binary" headers.')];
    const operations = units.reduce((n, u) => n + ('changeset' in u ? u.changeset!.length : 1), 0);
    call.operations = operations;
    call.changesets = units.filter((u) => 'changeset' in u).length;
    call.continueOnError = /odata\.continue-on-error/.test(headers.get('prefer') ?? '');
    if (operations > 1000) {
      return [400, odata('0x0', "The current batch message contains too many parts. Only batch messages with a maximum number of '1000' query operations, including changeset operations, are allowed.")];
    }
    const out: (PartResponse | PartResponse[])[] = [];
    let failed = false;
    for (const unit of units) {
      if ('changeset' in unit) {
        const before = this.snapshot();
        const responses: PartResponse[] = [];
        for (const raw of unit.changeset!) {
          const r = this.rawOperation(raw);
          responses.push(r);
          if (r.status >= 400) break;
        }
        const error = responses.find((r) => r.status >= 400);
        if (error) this.restore(before);
        out.push(error ? error : responses);
        failed = !!error;
      } else {
        const r = this.rawOperation(unit.request!);
        out.push(r);
        failed = r.status >= 400;
      }
      // Without continue-on-error the batch stops at the first failure and the batch itself answers 400.
      if (failed && !call.continueOnError) break;
    }
    const responseBoundary = `batchresponse_${randomUUID()}`;
    return [failed && !call.continueOnError ? 400 : 200, renderBatch(responseBoundary, out), { 'Content-Type': `multipart/mixed; boundary=${responseBoundary}`, 'OData-Version': '4.0' }];
  }

  private rawOperation(raw: string): PartResponse {
    const { head, content, firstLine } = splitHttp(raw);
    const m = /^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1$/.exec(firstLine);
    if (!m) return { status: 400, headers: {}, body: odata('0x0', `The request line '${firstLine}' is not valid.`) };
    const target = m[2]!.replace(this.orgUrl, '').replace(/^\/api\/data\/v9\.2\//, '');
    if (m[1] === 'GET') return this.list(new URL(`${this.orgUrl}/api/data/v9.2/${target}`), head.prefer);
    // A request with a body says it is JSON ("Compose HTTP requests": Content-Type: application/json).
    if (content.trim() && !/^application\/json/i.test(head['content-type'] ?? '')) {
      return { status: 415, headers: {}, body: odata('0x80048d1a', `The request's Content-Type '${head['content-type'] ?? ''}' is not supported; use application/json.`) };
    }
    return this.operation(m[1]!, target, head, content);
  }

  /** PATCH <entitySet>(<key>)[?$select=…]: the upsert. */
  private operation(method: string, target: string, headers: Record<string, string>, text: string): PartResponse {
    const m = /^(\w+)\(([^)]*)\)(?:\?(.*))?$/.exec(target);
    const table = m ? [...this.tables.values()].find((t) => t.entitySet === m[1]) : undefined;
    if (!m || !table) return { status: 404, headers: {}, body: odata('0x80060888', `Resource not found for the segment '${target.split(/[(?]/)[0]}'.`) };
    if (method !== 'PATCH') return { status: 405, headers: {}, body: odata('0x80060888', `The HTTP method '${method}' is not allowed on this resource in the mock.`) };
    const found = this.resolve(table, decodeURIComponent(m[2]!));
    if ('error' in found) return found.error;
    const privilege = `prv${found.row ? 'Write' : 'Create'}${table.logicalName}`;
    if (this.opts.missingPrivileges?.includes(privilege)) {
      return {
        status: 403,
        headers: {},
        body: odata(
          '0x80040220',
          `Principal user (Id=${APP_USER_ID}, type=8, roleCount=1, privilegeCount=812, accessMode=4, MetadataCachePrivilegesCount=4586, businessUnitId=${BUSINESS_UNIT_ID}), is missing ${privilege} privilege (Id=${PRIVILEGE_ID}) on OTC=${table.logicalName === 'contact' ? 2 : 10317} for entity '${table.logicalName}'. context: ${table.entitySet} Consider adding missed privilege to one of the principal (user/team) roles.`,
        ),
      };
    }
    let body: DataverseRow;
    try {
      body = text.trim() ? (JSON.parse(text) as DataverseRow) : {};
    } catch {
      return { status: 400, headers: {}, body: odata('0x80048d19', `Error identified in Payload provided by the user for Entity :'${table.entitySet}'`) };
    }
    const values: DataverseRow = {};
    for (const [k, v] of Object.entries(body)) {
      const bind = /^(.+)@odata\.bind$/.exec(k);
      if (bind) {
        const lookup = table.lookups.get(bind[1]!);
        if (!lookup) {
          // Dataverse's text for a navigation property it does not know (names are case-sensitive).
          return {
            status: 400,
            headers: {},
            body: odata(
              '0x80060888',
              `An undeclared property '${bind[1]}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
            ),
          };
        }
        const target = this.tables.get(lookup.target)!;
        const ref = /^\/?(\w+)\(([^)]*)\)$/.exec(String(v));
        if (!ref || ref[1] !== target.entitySet) return { status: 400, headers: {}, body: odata('0x80048d19', `Error identified in Payload provided by the user for Entity :'${table.entitySet}'`) };
        const resolved = this.resolve(target, decodeURIComponent(ref[2]!));
        if ('error' in resolved) return resolved.error;
        if (!resolved.row) return this.missing(target, resolved.byKey);
        values[lookup.valueColumn] = resolved.row[target.idColumn];
        continue;
      }
      const c = table.columns.get(k);
      if (!c || c.readOnly) return this.noProperty(table, k);
      if (v !== null) {
        const wrongType =
          (c.type === 'int' && !Number.isInteger(v)) || (c.type === 'bool' && typeof v !== 'boolean') || (c.type !== 'int' && c.type !== 'bool' && typeof v !== 'string');
        if (wrongType) {
          return { status: 400, headers: {}, body: odata('0x80048d19', `Error identified in Payload provided by the user for Entity :'${table.entitySet}'. Cannot convert the literal '${String(v)}' for '${k}'.`) };
        }
        if (c.maxLength !== undefined && String(v).length > c.maxLength) {
          return {
            status: 400,
            headers: {},
            body: odata('0x80044331', `A validation error occurred.  The length of the '${k}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${c.maxLength}'.`),
          };
        }
      }
      values[k] = v;
    }
    const ifMatch = headers['if-match'];
    const ifNoneMatch = headers['if-none-match'];
    if (ifMatch === '*' && !found.row) return this.missing(table, found.byKey);
    if (ifNoneMatch === '*' && found.row) return { status: 412, headers: {}, body: odata('0x80040237', 'A record with matching key values already exists.') };
    const stamp = this.stamp();
    let row = found.row;
    const created = !row;
    if (row) Object.assign(row, values, { modifiedon: stamp, '@version': this.version++ });
    else {
      // Upsert copies the alternate key from the URL into the new row.
      row = { ...values, ...(found.byKey ? { [table.alternateKey]: found.byKey } : {}), [table.idColumn]: randomUUID(), createdon: stamp, modifiedon: stamp, '@version': this.version++ };
      this.data.get(table.logicalName)!.set(String(row[table.idColumn]), row);
    }
    const keyForm = `${this.orgUrl}/api/data/v9.2/${table.entitySet}(${m[2]})`;
    if (!/return=representation/.test(headers.prefer ?? '')) return { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': keyForm } };
    const select = new URLSearchParams(m[3] ?? '').get('$select')?.split(',') ?? [...table.columns.keys()];
    return {
      status: created ? 201 : 200,
      headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ETag: `W/"${String(row['@version'])}"`, 'Preference-Applied': 'return=representation', 'OData-Version': '4.0' },
      body: {
        '@odata.context': `${this.orgUrl}/api/data/v9.2/$metadata#${table.entitySet}(${select.join(',')})/$entity`,
        '@odata.etag': `W/"${String(row['@version'])}"`,
        ...Object.fromEntries(select.map((c) => [c, row![c] ?? null])),
      },
    };
  }

  /** `terminalcrm_externalid='cus_1'` or a bare GUID. */
  private resolve(table: Table, key: string): { row?: DataverseRow; byKey?: string } | { error: PartResponse } {
    const guid = /^[0-9a-f-]{36}$/i.exec(key);
    if (guid) return { row: this.data.get(table.logicalName)!.get(key.toLowerCase()) };
    const m = /^(\w+)='((?:[^']|'')*)'$/.exec(key);
    if (!m || m[1] !== table.alternateKey) {
      // Dataverse's wording for a column that is not a defined alternate key of the table (use-alternate-key-reference-record.md).
      return { error: { status: 400, headers: {}, body: odata('0x80060888', `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${table.logicalName}'. Make sure that the key values are specified correctly.`) } };
    }
    const value = m[2]!.replace(/''/g, "'");
    // define-alternate-keys-entity.md: GET, update and upsert by a key value holding any of these do not work.
    if (/[/<>*%&:\\?+]/.test(value)) {
      return { error: { status: 404, headers: {}, body: odata('0x80060891', `A record with the specified key values does not exist in ${table.logicalName} entity`) } };
    }
    return { row: [...this.data.get(table.logicalName)!.values()].find((r) => r[table.alternateKey] === value), byKey: value };
  }

  private missing(table: Table, byKey: string | undefined): PartResponse {
    return byKey !== undefined
      ? { status: 404, headers: {}, body: odata('0x80060891', `A record with the specified key values does not exist in ${table.logicalName} entity`) }
      : { status: 404, headers: {}, body: odata('0x80040217', `${table.logicalName} With Id = … Does Not Exist`) };
  }

  private noProperty(table: Table, name: string): PartResponse {
    return {
      status: 400,
      headers: {},
      // Dataverse's answer to a column the table does not have (SupportArticles-docs, web-api-client-errors.md).
      body: odata('0x0', `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.${table.logicalName}'. ---> Microsoft.Crm.CrmException: Does not support untyped value in non-open type.`),
    };
  }

  /** GET <entitySet>?$select&$filter=modifiedon gt …&$orderby=modifiedon asc,<id> asc[&$skiptoken]. */
  private list(url: URL, prefer: string | null | undefined, call?: MockCall): PartResponse {
    const set = url.pathname.split('/').pop()!;
    const table = [...this.tables.values()].find((t) => t.entitySet === set);
    if (!table) return { status: 404, headers: {}, body: odata('0x80060888', `Resource not found for the segment '${set}'.`) };
    const q = url.searchParams;
    const select = (q.get('$select') ?? table.idColumn).split(',');
    const unknown = select.find((c) => !table.columns.has(c));
    if (unknown) return { status: 400, headers: {}, body: odata('0x0', `Could not find a property named '${unknown}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`) };
    let rows = [...this.data.get(table.logicalName)!.values()];
    const filter = q.get('$filter');
    if (filter) {
      const f = /^modifiedon gt (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(filter);
      if (!f) return { status: 400, headers: {}, body: odata('0x80060888', `The mock understands only 'modifiedon gt <date-time>', not '${filter}'.`) };
      rows = rows.filter((r) => Date.parse(String(r.modifiedon)) > Date.parse(f[1]!));
    }
    if ((q.get('$orderby') ?? '') !== `modifiedon asc,${table.idColumn} asc`) {
      return { status: 400, headers: {}, body: odata('0x80060888', `The mock serves '$orderby=modifiedon asc,${table.idColumn} asc' only.`) };
    }
    const order = (r: DataverseRow): [number, string] => [Date.parse(String(r.modifiedon)), String(r[table.idColumn])];
    rows.sort((a, b) => order(a)[0] - order(b)[0] || (order(a)[1] < order(b)[1] ? -1 : 1));
    const skip = q.get('$skiptoken');
    if (skip) {
      const cookie = /modifiedon last="([^"]+)".*\w+id last="\{([^}]+)\}"/.exec(decodeURIComponent(/pagingcookie="([^"]+)"/.exec(skip)?.[1] ?? ''));
      if (!cookie) return { status: 400, headers: {}, body: odata('0x80048d19', 'The paging cookie is not valid.') };
      const at = Date.parse(cookie[1]!);
      rows = rows.filter((r) => order(r)[0] > at || (order(r)[0] === at && order(r)[1] > cookie[2]!));
    }
    const asked = /odata\.maxpagesize=(\d+)/.exec(prefer ?? '')?.[1];
    if (call) {
      call.pageSize = asked === undefined ? undefined : Number(asked);
      if (skip && this.issuedLinks.has(skip)) call.linkPageSize = this.issuedLinks.get(skip);
    }
    const pageSize = Math.min(5000, Number(asked ?? 5000));
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const body: Record<string, unknown> = {
      '@odata.context': `${this.orgUrl}/api/data/v9.2/$metadata#${table.entitySet}(${select.join(',')})`,
      value: page.map((r) => ({ '@odata.etag': `W/"${String(r['@version'])}"`, ...Object.fromEntries(select.map((c) => [c, r[c] ?? null])) })),
    };
    if (last && rows.length > page.length) {
      const pagingCookie = encodeURIComponent(`<cookie page="1"><modifiedon last="${String(last.modifiedon)}" first="" /><${table.idColumn} last="{${String(last[table.idColumn])}}" /></cookie>`);
      const next = new URLSearchParams();
      for (const k of ['$select', '$filter', '$orderby']) if (q.get(k)) next.set(k, q.get(k)!);
      const token = `<cookie pagenumber="2" pagingcookie="${pagingCookie}" istracking="False" />`;
      next.set('$skiptoken', token);
      this.issuedLinks.set(token, asked === undefined ? undefined : Number(asked));
      body['@odata.nextLink'] = `${this.orgUrl}/api/data/v9.2/${table.entitySet}?${next.toString().replace(/\+/g, '%20')}`;
    }
    return { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' }, body };
  }

  private snapshot(): Map<string, Map<string, DataverseRow>> {
    return new Map([...this.data].map(([k, rows]) => [k, new Map([...rows].map(([id, r]) => [id, { ...r }]))]));
  }

  private restore(s: Map<string, Map<string, DataverseRow>>): void {
    for (const [k, rows] of s) this.data.set(k, rows);
  }

  /** modifiedon as Dataverse returns it: UTC, to the second. */
  private stamp(): string {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
}

function headersOf(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => (out[k.toLowerCase()] = v));
  return out;
}

function splitMultipart(text: string, boundary: string): string[] {
  const end = text.indexOf(`--${boundary}--`);
  return (end >= 0 ? text.slice(0, end) : text)
    .split(`--${boundary}`)
    .slice(1)
    .map((p) => p.replace(/^\r?\n/, ''));
}

function splitHead(part: string): { head: Record<string, string>; content: string } {
  const m = /\r?\n\r?\n/.exec(part);
  const head: Record<string, string> = {};
  for (const line of (m ? part.slice(0, m.index) : part).split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) head[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { head, content: m ? part.slice(m.index + m[0].length) : '' };
}

function splitHttp(raw: string): { firstLine: string; head: Record<string, string>; content: string } {
  const lines = raw.split(/\r?\n/);
  const blank = lines.findIndex((l, i) => i > 0 && l.trim() === '');
  const head: Record<string, string> = {};
  for (const line of lines.slice(1, blank < 0 ? lines.length : blank)) {
    const i = line.indexOf(':');
    if (i > 0) head[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { firstLine: lines[0]!.trim(), head, content: blank < 0 ? '' : lines.slice(blank + 1).join('\n').replace(/\s+$/, '') };
}

function renderPart(r: PartResponse): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? ''}`.trim()];
  const headers = { ...(r.body !== undefined && !r.headers['Content-Type'] ? { 'Content-Type': 'application/json; odata.metadata=minimal' } : {}), ...r.headers };
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('');
  if (r.body !== undefined) lines.push(JSON.stringify(r.body));
  return `${lines.join('\r\n')}\r\n`;
}

function renderBatch(boundary: string, out: (PartResponse | PartResponse[])[]): string {
  const parts = out.map((unit) => {
    if (!Array.isArray(unit)) return `--${boundary}\r\n${renderPart(unit)}`;
    const cs = `changesetresponse_${randomUUID()}`;
    return `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${cs}\r\n\r\n${unit.map((r) => `--${cs}\r\n${renderPart(r)}`).join('')}--${cs}--\r\n`;
  });
  return `${parts.join('')}--${boundary}--\r\n`;
}
