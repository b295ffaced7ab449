/**
 * A contract mock of the HubSpot CRM API on nock, keeping state as HubSpot does: records by id and by their unique
 * properties, associations, issued OAuth tokens, rate-limit windows on an injectable clock, and a call log.
 *
 * Bodies follow HubSpot's documentation and SDK types:
 * - batch upsert/update/read answers: `BatchResponseSimplePublicUpsertObjectWithErrors` (HubSpot/hubspot-api-nodejs,
 *   codegen/crm/contacts/models), 207 Multi-Status with `errors[].context.objectWriteTraceId` as in
 *   developers.hubspot.com/docs/api-reference/error-handling ("Multi-status errors") and Using Object APIs;
 * - batch create: 201 with the records, each input with optional `associations: [{to: {id}, types:
 *   [{associationCategory, associationTypeId}]}]` (API reference, "Create a batch of deals"; deal → contact is
 *   HUBSPOT_DEFINED 3); a unique value already held is refused for that input (VALIDATION_ERROR, plain message);
 * - validation errors: "Property values were not valid: [...]" with `errors[].code/context.propertyName` (Using
 *   Object APIs → Error handling, 400 example);
 * - over 100 inputs: "The maximum number of inputs supported in a batch is 100. Please reduce the number of items
 *   and try again" (VALIDATION_ERROR, as HubSpot answers it, quoted in public integration notes);
 * - duplicate ids: "Duplicate IDs found in batch input: [x]. IDs must be unique" with `context.ids`;
 * - contact email taken: CONFLICT "Contact already exists. Existing ID: N" (HubSpot/hubspot-api-python issue #51);
 * - 429: `{status, message, errorType: 'RATE_LIMIT', correlationId, policyName, requestId}` (usage guidelines,
 *   "Error responses"; DAILY example) and the X-HubSpot-RateLimit-* headers; search answers carry none of them;
 * - 401: EXPIRED_AUTHENTICATION "The OAuth token used to make this call expired N second(s) ago." with
 *   `context["expire time"]`, INVALID_AUTHENTICATION "Authentication credentials not found…";
 * - /oauth/2026-03/token (and /oauth/v1/token until HubSpot retires it on 16 February 2027): form-encoded in the body,
 *   answered `{token_type: 'bearer', refresh_token, access_token, expires_in}`;
 * - search: `CollectionResponseWithTotalSimplePublicObjectForwardPaging` ({total, results, paging.next.after});
 * - associations v4 `batch/associate/default`: 200 (the only answer its reference and the SDK's `createDefault`
 *   accept) with `results` and, for pairs naming a missing record, `numErrors`/`errors`; whether HubSpot instead
 *   refuses the whole request for one such pair is not documented, so `associationErrors: 'whole-request'` answers
 *   that way (400 VALIDATION_ERROR, nothing associated).
 * - account details (`GET /account-info/v3/details`): `{portalId, accountType, timeZone, companyCurrency,
 *   additionalCurrencies, utcOffset, utcOffsetMilliseconds, uiDomain, dataHostingLocation}` (Account information API,
 *   "Retrieve account details"; its guide's example zone is "US/Eastern"), counted against the limits like any call;
 *   an app without the scope gets 403 MISSING_SCOPES "This app hasn't been granted all required scopes…" with
 *   `errors[].context.requiredScopes` and `links.scopes` (as HubSpot/hubspot-api-nodejs issue #268 shows it).
 * - request bodies are checked against the OpenAPI `required` lists of HubSpot's public spec collection
 *   (HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/CRM/{Contacts,Deals,Associations}): batch
 *   upsert/update inputs need `id` and `properties` (values text), create inputs `properties` and `associations`
 *   (each `to` and `types`, each type `associationCategory` of its enum and an integer `associationTypeId`), batch
 *   read `inputs`, `properties` and `propertiesWithHistory`, associations `inputs` of `from` and `to`, search
 *   `after`, `filterGroups`, `limit`, `properties` and `sorts`; a body missing one is refused 400 VALIDATION_ERROR.
 * - search limits as "Search the CRM" lists them: paging beyond 10,000 results of one query is a 400; at most five
 *   filterGroups of up to six filters, 18 in all (VALIDATION_ERROR); "Only one sorting rule can be applied to any
 *   search", so a second sort is refused; filters and the sort compare dates as instants and numbers as numbers.
 * Where HubSpot documents the shape but not the wording (past 10,000 search results, a second sorting rule, an
 * association to a missing record), the body uses the documented error shape with a plain message.
 */
import { randomUUID } from 'node:crypto';

type Nock = typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;

export interface HsRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface MockCall {
  method: string;
  path: string;
  status: number;
  body: unknown;
  authorization?: string;
  at: number;
}

export interface FaultOptions {
  /** Fractions of API calls answered 429 (TEN_SECONDLY_ROLLING), 502, or held `delayMs` (after the write happened). */
  rate429?: number;
  serverError?: number;
  delay?: number;
  delayMs?: number;
  seed?: number;
  /**
   * Exact faults: the API call numbered n (1 = the first after setFaults, token calls not counted) gets this answer.
   * 477 is HubSpot's "Migration in Progress" (the account moving data centre), with Retry-After in seconds.
   */
  at?: Record<number, '429' | '502' | '477'>;
  /** The next this-many token requests are answered 503, as HubSpot's documented temporary outage. */
  tokenOutages?: number;
}

export interface HubSpotMockOptions {
  baseUrl?: string;
  /** The private app token the account accepts. */
  privateAppToken?: string;
  oauth?: { clientId: string; clientSecret: string; refreshToken: string; expiresInSeconds?: number };
  /** Properties created with "unique values", per object type. */
  uniqueProperties?: Record<string, string[]>;
  /** Properties that exist, per object type (HubSpot's defaults plus the pack's are assumed unless given). */
  properties?: Record<string, string[]>;
  /** The account's burst limit, enforced and reported in X-HubSpot-RateLimit-Max (default 190 per 10 s). */
  burst?: { max: number; intervalMs: number };
  /**
   * Requests the same app makes from elsewhere (the pack on another machine) in every rolling window: they take
   * that many of the burst limit's slots, which X-HubSpot-RateLimit-Remaining shows and -Max does not.
   */
  othersInWindow?: number;
  daily?: number;
  searchPerSecond?: number;
  /** Sent as Retry-After on a 429 when set. */
  retryAfterSeconds?: number;
  /**
   * false: batch upsert/update results carry no objectWriteTraceId and only the properties written plus HubSpot's
   * managed ones, as the one 207 example in HubSpot's error-handling guide shows (the SDK types it optional).
   */
  traceIdsInResults?: boolean;
  /**
   * The account's currencies (company currency and the ones added): since 31 July 2023 HubSpot refuses a deal whose
   * deal_currency_code is another, INVALID_OPTION (changelog "Enforcing Deal Currency Code Validation"). Unset: any.
   */
  currencies?: string[];
  /**
   * The account's details: its time zone as HubSpot names it (default "US/Eastern") and the offset it gives with it
   * (default: that zone's offset now, which a name unknown to Intl needs given); `'missing-scopes'`: the app lacks
   * the scope, and the details are refused with 403 MISSING_SCOPES.
   */
  account?: { timeZone?: string; utcOffsetMilliseconds?: number } | 'missing-scopes';
  /** A pair naming a missing record: listed in `errors` beside the others' results (default), or the whole request refused. */
  associationErrors?: 'per-input' | 'whole-request';
  /**
   * How search pages are named in `paging.next.after`: the offset as text (`"100"`, what accounts answer today;
   * default), or an opaque token as HubSpot's spec types and exemplifies it (`NextPage.after`, example
   * "NTI1Cg%3D%3D"), which a client must hand back as it is.
   */
  searchPaging?: 'offset' | 'opaque';
  now?: () => number;
  faults?: FaultOptions;
}

const CONTACT_PROPERTIES = [
  'email', 'firstname', 'lastname', 'phone', 'address', 'city', 'zip', 'state', 'country', 'date_of_birth', 'company',
  'terminal_crm_id', 'terminal_crm_segment', 'terminal_crm_rfm', 'terminal_crm_high_value', 'terminal_crm_at_risk', 'loyalty_tier', 'loyalty_points', 'loyalty_member_since',
];
const DEAL_PROPERTIES = ['dealname', 'amount', 'deal_currency_code', 'closedate', 'pipeline', 'dealstage', 'terminal_crm_payment_key', 'terminal_crm_payment_status', 'terminal_crm_refunded_amount'];
const MANAGED = ['hs_object_id', 'createdate', 'lastmodifieddate'];
/** Where HubSpot issues OAuth tokens: the date-versioned endpoint, and v1 until its retirement on 16 February 2027. */
export const HUBSPOT_TOKEN_PATHS: readonly string[] = ['/oauth/2026-03/token', '/oauth/v1/token'];
const DEFAULT_PIPELINE_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
const OBJECT_TYPE_IDS: Record<string, string> = { contacts: '0-1', deals: '0-3' };
const SEARCH_DEFAULT_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];

type Reply = [number, unknown, Record<string, string>?];
type ItemError = { whole: Reply; item: { status: string; category: string; message: string; context?: Record<string, string[]> } };
interface CreateInput {
  properties?: Record<string, string>;
  associations?: { to?: { id?: string }; types?: { associationCategory?: string; associationTypeId?: number }[] }[];
  objectWriteTraceId?: string;
}

/** HUBSPOT_DEFINED association type ids by the object they start from (Associations v4: deal → contact is 3). */
const ASSOCIATION_TARGETS: Record<string, Record<number, string>> = { deals: { 3: 'contacts' }, contacts: { 4: 'deals' } };

export class HubSpotMock {
  readonly objects = new Map<string, Map<string, HsRecord>>();
  /** `<fromType>:<fromId>-><toType>:<toId>` with HubSpot's default association type. */
  readonly associations = new Set<string>();
  readonly calls: MockCall[] = [];
  tokenRequests = 0;
  private nextId = 1001;
  private tokenSeq = 0;
  private readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  private readonly burstLog: number[] = [];
  private readonly searchLog: number[] = [];
  private dailyUsed = 0;
  private rng: () => number;
  private faults: FaultOptions;
  private apiCalls = 0;
  readonly baseUrl: string;
  private readonly now: () => number;

  private constructor(
    private readonly nock: Nock,
    private readonly o: HubSpotMockOptions,
  ) {
    this.baseUrl = o.baseUrl ?? 'https://api.hubapi.com';
    this.now = o.now ?? Date.now;
    this.faults = o.faults ?? {};
    this.rng = mulberry32(this.faults.seed ?? 1);
  }

  static async start(options: HubSpotMockOptions = {}): Promise<HubSpotMock> {
    const nock = (await import('nock')).default;
    const mock = new HubSpotMock(nock, options);
    // nock 15 hands a reply function the Fetch API Request and takes [status, body, headers] back.
    const reply = async (request: Request) => {
      const url = new URL(request.url);
      const r = await mock.handle(request.method, url.pathname, await request.text(), request.headers.get('authorization') ?? undefined);
      // Every HubSpot answer carries its Date (RFC 9110 §6.6.1), by the mock's clock.
      return [r[0], r[1], { date: new Date(mock.now()).toUTCString(), ...r[2] }] as Reply;
    };
    nock(mock.baseUrl).persist().post(/.*/).reply(reply);
    nock(mock.baseUrl).persist().get(/.*/).reply(reply);
    return mock;
  }

  stop(): void {
    this.nock.cleanAll();
  }

  setFaults(f: FaultOptions): void {
    this.faults = f;
    this.apiCalls = 0;
    this.rng = mulberry32(f.seed ?? 1);
  }

  /** Makes an issued OAuth token expire now (HubSpot tokens live 30 minutes). */
  expireToken(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.expiresAt = this.now() - 1_000;
  }

  get issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  records(objectType: string): HsRecord[] {
    return [...this.store(objectType).values()];
  }

  recordBy(objectType: string, property: string, value: string): HsRecord[] {
    return this.records(objectType).filter((r) => (property === 'email' ? r.properties.email?.toLowerCase() === value.toLowerCase() : r.properties[property] === value));
  }

  callsTo(pathPart: string): MockCall[] {
    return this.calls.filter((c) => c.path.includes(pathPart));
  }

  /** A record someone deleted in HubSpot: it and its associations are gone. */
  deleteRecord(objectType: string, id: string): void {
    if (!this.store(objectType).delete(id)) throw new Error(`no ${objectType} record ${id}`);
    for (const a of this.associations) if (a.startsWith(`${objectType}:${id}->`) || a.endsWith(`->${objectType}:${id}`)) this.associations.delete(a);
  }

  /** A record as if someone created it in HubSpot at `at`. */
  seed(objectType: string, properties: Record<string, string>, at = this.now()): HsRecord {
    const id = String(this.nextId++);
    const iso = new Date(at).toISOString();
    const r: HsRecord = { id, properties: { ...properties, hs_object_id: id, createdate: iso, lastmodifieddate: iso }, createdAt: iso, updatedAt: iso };
    this.store(objectType).set(id, r);
    return r;
  }

  private store(objectType: string): Map<string, HsRecord> {
    let m = this.objects.get(objectType);
    if (!m) this.objects.set(objectType, (m = new Map()));
    return m;
  }

  private async handle(method: string, path: string, text: string, authorization: string | undefined): Promise<Reply> {
    const tokenPath = HUBSPOT_TOKEN_PATHS.includes(path);
    const body = tokenPath ? text : text === '' ? undefined : safeJson(text);
    let reply: Reply;
    let delayMs = 0;
    if (tokenPath && (this.faults.tokenOutages ?? 0) > 0) {
      this.faults.tokenOutages! -= 1;
      this.tokenRequests++;
      reply = [503, { status: 'error', message: 'Service Unavailable', correlationId: randomUUID() }];
    } else if (tokenPath) {
      reply = this.token(text);
    } else {
      const r = this.rng();
      const f = this.faults;
      const exact = f.at?.[++this.apiCalls];
      if (exact === '429') reply = this.limited('TEN_SECONDLY_ROLLING');
      else if (exact === '502') reply = [502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' }];
      else if (exact === '477') reply = [477, { status: 'error', message: 'Migration in Progress', correlationId: randomUUID() }, { 'retry-after': '7200' }];
      else if (r < (f.rate429 ?? 0)) reply = this.limited('TEN_SECONDLY_ROLLING');
      else if (r < (f.rate429 ?? 0) + (f.serverError ?? 0)) reply = [502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' }];
      else {
        // A held answer is computed (and the write done) first: the client may give up, HubSpot has written it.
        if (r < (f.rate429 ?? 0) + (f.serverError ?? 0) + (f.delay ?? 0)) delayMs = f.delayMs ?? 5_000;
        reply = this.api(method, path, body, authorization);
      }
    }
    this.calls.push({ method, path, status: reply[0], body, authorization, at: this.now() });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    return reply;
  }

  private api(method: string, path: string, body: unknown, authorization: string | undefined): Reply {
    const denied = this.authenticate(authorization);
    if (denied) return denied;
    const isSearch = /\/search$/.test(path);
    const limited = isSearch ? this.searchLimit() : this.burstLimit();
    if (limited) return limited;
    const headers = isSearch ? {} : this.rateHeaders();
    let m: RegExpExecArray | null;
    let reply: Reply;
    const invalid = method === 'POST' ? requestSchemaError(path, body) : undefined;
    if (invalid) reply = validation400(invalid);
    else if (method === 'GET') reply = path === '/account-info/v3/details' ? this.accountDetails() : [404, { status: 'error', message: `Unable to route GET ${path}`, correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' }];
    else if ((m = /^\/crm\/v3\/objects\/([^/]+)\/batch\/upsert$/.exec(path))) reply = this.batchWrite(m[1]!, body, 'upsert');
    else if ((m = /^\/crm\/v3\/objects\/([^/]+)\/batch\/create$/.exec(path))) reply = this.batchCreate(m[1]!, body);
    else if ((m = /^\/crm\/v3\/objects\/([^/]+)\/batch\/update$/.exec(path))) reply = this.batchWrite(m[1]!, body, 'update');
    else if ((m = /^\/crm\/v3\/objects\/([^/]+)\/batch\/read$/.exec(path))) reply = this.batchRead(m[1]!, body);
    else if ((m = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/associate\/default$/.exec(path))) reply = this.associate(m[1]!, m[2]!, body);
    else if ((m = /^\/crm\/v3\/objects\/([^/]+)\/search$/.exec(path))) reply = this.search(m[1]!, body);
    else reply = [404, { status: 'error', message: `Unable to route POST ${path}`, correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' }];
    return [reply[0], reply[1], { ...headers, ...(reply[2] ?? {}) }];
  }

  // ── auth ──────────────────────────────────────────────────────────────────────────────────────────────────────

  private token(form: string): Reply {
    this.tokenRequests++;
    const p = new URLSearchParams(form);
    const o = this.o.oauth;
    if (!o || p.get('grant_type') !== 'refresh_token' || p.get('client_id') !== o.clientId || p.get('client_secret') !== o.clientSecret || p.get('refresh_token') !== o.refreshToken) {
      return [400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: randomUUID(), requestId: randomUUID() }];
    }
    const token = `hs-oauth-${++this.tokenSeq}`;
    const expiresIn = o.expiresInSeconds ?? 1800;
    this.tokens.set(token, { expiresAt: this.now() + expiresIn * 1000, revoked: false });
    return [200, { token_type: 'bearer', refresh_token: o.refreshToken, access_token: token, expires_in: expiresIn }];
  }

  private authenticate(authorization: string | undefined): Reply | undefined {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (token && this.o.privateAppToken && token === this.o.privateAppToken) return undefined;
    const t = token ? this.tokens.get(token) : undefined;
    if (t && !t.revoked && t.expiresAt > this.now()) return undefined;
    if (t) {
      const ago = Math.max(1, Math.round((this.now() - t.expiresAt) / 1000));
      return [401, { status: 'error', message: `The OAuth token used to make this call expired ${ago} second(s) ago.`, correlationId: randomUUID(), category: 'EXPIRED_AUTHENTICATION', context: { 'expire time': [new Date(t.expiresAt).toISOString()] } }];
    }
    return [401, { status: 'error', message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview', correlationId: randomUUID(), category: 'INVALID_AUTHENTICATION' }];
  }

  // ── rate limits ───────────────────────────────────────────────────────────────────────────────────────────────

  private burst() {
    return this.o.burst ?? { max: 190, intervalMs: 10_000 };
  }

  private burstLimit(): Reply | undefined {
    const now = this.now();
    if (this.dailyUsed >= (this.o.daily ?? 1_000_000)) return this.limited('DAILY');
    const { max, intervalMs } = this.burst();
    while (this.burstLog.length && this.burstLog[0]! <= now - intervalMs) this.burstLog.shift();
    if (this.burstLog.length + (this.o.othersInWindow ?? 0) >= max) return this.limited('TEN_SECONDLY_ROLLING');
    this.burstLog.push(now);
    this.dailyUsed++;
    return undefined;
  }

  private searchLimit(): Reply | undefined {
    const now = this.now();
    if (this.dailyUsed >= (this.o.daily ?? 1_000_000)) return this.limited('DAILY');
    while (this.searchLog.length && this.searchLog[0]! <= now - 1_000) this.searchLog.shift();
    if (this.searchLog.length >= (this.o.searchPerSecond ?? 5)) return this.limited('SECONDLY', false);
    this.searchLog.push(now);
    this.dailyUsed++;
    return undefined;
  }

  private limited(policyName: 'DAILY' | 'TEN_SECONDLY_ROLLING' | 'SECONDLY', withHeaders = true): Reply {
    const label = policyName === 'DAILY' ? 'daily' : policyName === 'SECONDLY' ? 'secondly' : 'ten_secondly_rolling';
    const headers: Record<string, string> = withHeaders ? this.rateHeaders() : {};
    if (this.o.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.o.retryAfterSeconds);
    return [429, { status: 'error', message: `You have reached your ${label} limit.`, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, requestId: randomUUID() }, headers];
  }

  private rateHeaders(): Record<string, string> {
    const { max, intervalMs } = this.burst();
    const daily = this.o.daily ?? 1_000_000;
    return {
      'x-hubspot-ratelimit-daily': String(daily),
      'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, daily - this.dailyUsed)),
      'x-hubspot-ratelimit-interval-milliseconds': String(intervalMs),
      'x-hubspot-ratelimit-max': String(max),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, max - this.burstLog.length - (this.o.othersInWindow ?? 0))),
    };
  }

  // ── account ──────────────────────────────────────────────────────────────────────────────────────────────────

  private accountDetails(): Reply {
    const a = this.o.account ?? {};
    if (a === 'missing-scopes') {
      return [403, {
        status: 'error',
        message: "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        correlationId: randomUUID(),
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredScopes: ['oauth'] } }],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
        category: 'MISSING_SCOPES',
      }];
    }
    const timeZone = a.timeZone ?? 'US/Eastern';
    const offsetMs = a.utcOffsetMilliseconds ?? offsetIn(timeZone, this.now());
    const minutes = Math.abs(offsetMs) / 60_000;
    const utcOffset = `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    const [companyCurrency = 'USD', ...additionalCurrencies] = this.o.currencies ?? [];
    return [200, { portalId: 891936587, accountType: 'STANDARD', timeZone, companyCurrency, additionalCurrencies, utcOffset, utcOffsetMilliseconds: offsetMs, uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' }];
  }

  // ── objects ───────────────────────────────────────────────────────────────────────────────────────────────────

  private uniques(objectType: string): string[] {
    return this.o.uniqueProperties?.[objectType] ?? (objectType === 'contacts' ? ['terminal_crm_id'] : objectType === 'deals' ? ['terminal_crm_payment_key'] : []);
  }

  private known(objectType: string): Set<string> {
    const given = this.o.properties?.[objectType];
    const base = given ?? (objectType === 'contacts' ? CONTACT_PROPERTIES : objectType === 'deals' ? DEAL_PROPERTIES : []);
    return new Set([...base, ...this.uniques(objectType), ...MANAGED]);
  }

  private find(objectType: string, idProperty: string | undefined, id: string): HsRecord | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.store(objectType).get(id);
    return this.recordBy(objectType, idProperty, id)[0];
  }

  private batchWrite(objectType: string, body: unknown, mode: 'upsert' | 'update'): Reply {
    const inputs = (body as { inputs?: { id?: string; idProperty?: string; properties?: Record<string, string>; objectWriteTraceId?: string }[] })?.inputs;
    if (!Array.isArray(inputs)) return validation400('Invalid input JSON: "inputs" is required');
    if (inputs.length > 100) return validation400('The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again');
    for (const x of inputs) {
      const prop = x.idProperty;
      if (prop && prop !== 'hs_object_id' && !(objectType === 'contacts' && prop === 'email') && !this.uniques(objectType).includes(prop)) {
        return validation400(`Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[objectType] ?? objectType} property`);
      }
    }
    const ids = inputs.map((x) => (x.idProperty === 'email' ? String(x.id).toLowerCase() : String(x.id)));
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dup.length) return [400, { status: 'error', message: `Duplicate IDs found in batch input: [${[...new Set(dup)].join(', ')}]. IDs must be unique`, correlationId: randomUUID(), context: { ids: [...new Set(dup)] }, category: 'VALIDATION_ERROR' }];

    const traced = inputs.every((x) => x.objectWriteTraceId) && new Set(inputs.map((x) => x.objectWriteTraceId)).size === inputs.length;
    // "Partial upserts are not supported when using email as the idProperty for contacts."
    const partial = traced && !(objectType === 'contacts' && inputs.some((x) => x.idProperty === 'email'));
    const checked = inputs.map((x) => ({ x, error: this.validate(objectType, x, mode) }));
    const failed = checked.filter((c) => c.error);
    if (failed.length && !partial) return failed[0]!.error!.whole;

    const startedAt = new Date(this.now()).toISOString();
    const results: unknown[] = [];
    for (const { x } of checked.filter((c) => !c.error)) {
      const { record, created } = this.apply(objectType, x, mode);
      const untraced = this.o.traceIdsInResults === false;
      const properties = untraced
        ? Object.fromEntries(Object.entries(record.properties).filter(([k]) => k in (x.properties ?? {}) || MANAGED.includes(k)))
        : { ...record.properties };
      results.push({ id: record.id, properties, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: false, ...(mode === 'upsert' ? { new: created } : {}), ...(x.objectWriteTraceId && !untraced ? { objectWriteTraceId: x.objectWriteTraceId } : {}) });
    }
    const errors = failed.map((c) => ({ ...c.error!.item, context: { ...(c.error!.item.context ?? {}), ...(c.x.objectWriteTraceId ? { objectWriteTraceId: [c.x.objectWriteTraceId] } : {}) } }));
    const completedAt = new Date(this.now()).toISOString();
    const out = { status: 'COMPLETE', results: notInInputOrder(results), ...(errors.length ? { numErrors: errors.length, errors } : {}), startedAt, completedAt };
    return [errors.length ? 207 : 200, out];
  }

  /**
   * batch/create: 201 with the created records; each input may carry `associations` (`to.id` and `types`), made with
   * the record. A unique property value another record holds (or an earlier input of the batch) is refused: HubSpot
   * never holds two records with one unique value, which is what makes a create safe to try twice.
   */
  private batchCreate(objectType: string, body: unknown): Reply {
    const inputs = (body as { inputs?: CreateInput[] })?.inputs;
    if (!Array.isArray(inputs)) return validation400('Invalid input JSON: "inputs" is required');
    if (inputs.length > 100) return validation400('The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again');
    const traced = inputs.every((x) => x.objectWriteTraceId) && new Set(inputs.map((x) => x.objectWriteTraceId)).size === inputs.length;
    const claimed = new Set<string>();
    const checked = inputs.map((x) => {
      const error = this.validate(objectType, { properties: x.properties }, 'create') ?? this.uniqueTaken(objectType, x.properties ?? {}, claimed) ?? this.badAssociation(objectType, x.associations ?? []);
      return { x, error };
    });
    const failed = checked.filter((c) => c.error);
    if (failed.length && !traced) return failed[0]!.error!.whole;
    const startedAt = new Date(this.now()).toISOString();
    const results: unknown[] = [];
    for (const { x } of checked.filter((c) => !c.error)) {
      const record = this.seed(objectType, { ...(x.properties ?? {}) });
      for (const a of x.associations ?? []) this.associations.add(`${objectType}:${record.id}->${ASSOCIATION_TARGETS[objectType]?.[a.types?.[0]?.associationTypeId ?? -1]}:${String(a.to?.id)}`);
      results.push({ id: record.id, properties: { ...record.properties }, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: false, ...(x.objectWriteTraceId ? { objectWriteTraceId: x.objectWriteTraceId } : {}) });
    }
    const errors = failed.map((c) => ({ ...c.error!.item, context: { ...(c.error!.item.context ?? {}), ...(c.x.objectWriteTraceId ? { objectWriteTraceId: [c.x.objectWriteTraceId] } : {}) } }));
    const out = { status: 'COMPLETE', results: notInInputOrder(results), ...(errors.length ? { numErrors: errors.length, errors } : {}), startedAt, completedAt: new Date(this.now()).toISOString() };
    return [errors.length ? 207 : 201, out];
  }

  private uniqueTaken(objectType: string, props: Record<string, string>, claimed: Set<string>): ItemError | undefined {
    for (const name of this.uniques(objectType)) {
      const value = props[name];
      if (value === undefined || value === '') continue;
      if (this.recordBy(objectType, name, value).length > 0 || claimed.has(`${name}=${value}`)) {
        const item = { status: 'error', category: 'VALIDATION_ERROR', message: `${value} already has that value in the unique property ${name}`, context: { propertyName: [name] } };
        return { whole: [400, { ...item, correlationId: randomUUID() }], item };
      }
    }
    for (const name of this.uniques(objectType)) if (props[name]) claimed.add(`${name}=${props[name]}`);
    return undefined;
  }

  private badAssociation(objectType: string, associations: NonNullable<CreateInput['associations']>): ItemError | undefined {
    for (const a of associations) {
      const typeId = a.types?.[0]?.associationTypeId;
      const toType = typeId === undefined ? undefined : ASSOCIATION_TARGETS[objectType]?.[typeId];
      const problem = !toType
        ? `association type id ${typeId} is not defined from ${objectType}`
        : !this.store(toType).has(String(a.to?.id)) ? `No such object for association: ${toType} ${String(a.to?.id)}` : undefined;
      if (problem) {
        const item = { status: 'error', category: 'VALIDATION_ERROR', message: problem };
        return { whole: [400, { ...item, correlationId: randomUUID() }], item };
      }
    }
    return undefined;
  }

  private validate(objectType: string, x: { id?: string; idProperty?: string; properties?: Record<string, string> }, mode: 'upsert' | 'update' | 'create'): ItemError | undefined {
    const props = x.properties ?? {};
    const known = this.known(objectType);
    for (const name of Object.keys(props)) {
      if (!known.has(name)) return propertyError(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
    }
    const existing = mode === 'create' ? undefined : this.find(objectType, x.idProperty, String(x.id));
    if (mode === 'update' && !existing) {
      const message = `Could not get some ${objectType === 'contacts' ? 'CONTACT' : objectType.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`;
      const item = { status: 'error', category: 'OBJECT_NOT_FOUND', message, context: { ids: [String(x.id)] } };
      return { whole: [404, { ...item, correlationId: randomUUID() }], item };
    }
    if (objectType === 'contacts') {
      const email = x.idProperty === 'email' ? String(x.id) : props.email;
      if (email !== undefined && email !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return propertyError('email', 'INVALID_EMAIL', `Email address ${email} is invalid`);
      if (email && x.idProperty !== 'email') {
        const holder = this.recordBy('contacts', 'email', email).find((r) => r.id !== existing?.id);
        if (holder) {
          const item = { status: 'error', category: 'CONFLICT', message: `Contact already exists. Existing ID: ${holder.id}` };
          return { whole: [409, { ...item, correlationId: randomUUID() }], item };
        }
      }
    }
    const currency = objectType === 'deals' ? props.deal_currency_code : undefined;
    if (currency !== undefined && this.o.currencies && !this.o.currencies.includes(currency)) {
      return propertyError('deal_currency_code', 'INVALID_OPTION', `"${currency}" is not a part of the current effective currency codes for portal 891936587`);
    }
    if (objectType === 'deals' && props.dealstage !== undefined && (props.pipeline ?? existing?.properties.pipeline ?? 'default') === 'default' && !DEFAULT_PIPELINE_STAGES.includes(props.dealstage)) {
      return propertyError('dealstage', 'INVALID_OPTION', `${props.dealstage} was not one of the allowed options: [${DEFAULT_PIPELINE_STAGES.join(', ')}]`);
    }
    return undefined;
  }

  private apply(objectType: string, x: { id?: string; idProperty?: string; properties?: Record<string, string> }, mode: 'upsert' | 'update'): { record: HsRecord; created: boolean } {
    const props = { ...(x.properties ?? {}) };
    const existing = this.find(objectType, x.idProperty, String(x.id));
    if (existing) {
      const changed = Object.entries(props).some(([k, v]) => (existing.properties[k] ?? '') !== v);
      if (changed) {
        Object.assign(existing.properties, props);
        existing.updatedAt = existing.properties.lastmodifieddate = new Date(this.now()).toISOString();
      }
      return { record: existing, created: false };
    }
    if (mode === 'update') throw new Error('unreachable: validated above');
    if (x.idProperty) props[x.idProperty] = x.idProperty === 'email' ? String(x.id).toLowerCase() : String(x.id);
    return { record: this.seed(objectType, props), created: true };
  }

  private batchRead(objectType: string, body: unknown): Reply {
    const b = (body ?? {}) as { idProperty?: string; properties?: string[]; inputs?: { id: string }[] };
    const inputs = b.inputs ?? [];
    if (inputs.length > 100) return validation400('The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again');
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of inputs) {
      const r = this.find(objectType, b.idProperty, String(id));
      if (!r) missing.push(String(id));
      else results.push({ id: r.id, properties: pick(r.properties, [...(b.properties ?? []), 'hs_object_id', 'createdate', 'lastmodifieddate']), createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false });
    }
    const now = new Date(this.now()).toISOString();
    const errors = missing.length ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${objectType === 'contacts' ? 'CONTACT' : objectType.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`, context: { ids: missing } }] : [];
    return [errors.length ? 207 : 200, { status: 'COMPLETE', results, ...(errors.length ? { numErrors: errors.length, errors } : {}), startedAt: now, completedAt: now }];
  }

  private associate(fromType: string, toType: string, body: unknown): Reply {
    const inputs = ((body ?? {}) as { inputs?: { from?: { id?: string }; to?: { id?: string } }[] }).inputs ?? [];
    // The associations batch endpoints take 1,000 inputs (HubSpot's cap on batch read since 10 Feb 2025; held for create too).
    if (inputs.length > 1000) return validation400('The maximum number of inputs supported in a batch is 1000. Please reduce the number of items and try again');
    const missing = (x: { from?: { id?: string }; to?: { id?: string } }) => !this.store(fromType).has(String(x.from?.id)) || !this.store(toType).has(String(x.to?.id));
    const bad = inputs.filter(missing).map((x) => `${String(x.from?.id)}->${String(x.to?.id)}`);
    if (bad.length && this.o.associationErrors === 'whole-request') return validation400(`No such object for association: ${bad.join(', ')}`);
    const results: unknown[] = [];
    for (const x of inputs) {
      if (missing(x)) continue;
      const from = String(x.from?.id);
      const to = String(x.to?.id);
      this.associations.add(`${fromType}:${from}->${toType}:${to}`);
      results.push({ from: { id: from }, to: { id: to }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: fromType === 'deals' && toType === 'contacts' ? 3 : 1 } });
    }
    const now = new Date(this.now()).toISOString();
    const errors = bad.length ? [{ status: 'error', category: 'VALIDATION_ERROR', message: `No such object for association: ${bad.join(', ')}`, context: {} }] : [];
    return [200, { status: 'COMPLETE', results, ...(errors.length ? { numErrors: errors.length, errors } : {}), startedAt: now, completedAt: now }];
  }

  private pageToken(offset: number): { after: string; link: string } {
    const after = this.o.searchPaging === 'opaque' ? toPageToken(offset) : String(offset);
    return { after, link: `?after=${after}` };
  }

  private search(objectType: string, body: unknown): Reply {
    const b = (body ?? {}) as { filterGroups?: { filters?: { propertyName: string; operator: string; value?: string }[] }[]; sorts?: { propertyName: string; direction: string }[]; properties?: string[]; limit?: number; after?: string };
    const limit = b.limit ?? 10;
    const offset = this.o.searchPaging === 'opaque' ? fromPageToken(b.after) : Number(b.after ?? 0);
    if (!Number.isInteger(offset) || offset < 0) return validation400(`after: "${String(b.after)}" is not a paging cursor this search gave`);
    if (limit > 200) return validation400(`limit must be at most 200, was ${limit}`);
    if (offset + limit > 10_000) return validation400('The search endpoints are limited to 10,000 total results for any given query.');
    const groups = b.filterGroups ?? [];
    const filterCount = groups.reduce((n, g) => n + (g.filters ?? []).length, 0);
    if (groups.length > 5 || groups.some((g) => (g.filters ?? []).length > 6) || filterCount > 18) {
      return validation400(`A search takes at most 5 filterGroups of at most 6 filters each, 18 filters in all; it had ${groups.length} groups and ${filterCount} filters`);
    }
    if ((b.sorts ?? []).length > 1) return validation400(`Only one sorting rule can be applied to any search; it had ${b.sorts!.length}`);
    let rows = this.records(objectType).filter((r) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matches(r, f))));
    const sort = b.sorts?.[0];
    if (sort) {
      const dir = /^DESC/i.test(sort.direction) ? -1 : 1;
      const keyed = rows.map((r) => ({ r, k: sortKey(r.properties[sort.propertyName]) }));
      keyed.sort((a, z) => dir * (compareKeys(a.k, z.k) || Number(a.r.id) - Number(z.r.id)));
      rows = keyed.map((x) => x.r);
    }
    const page = rows.slice(offset, offset + limit);
    const wanted = b.properties?.length ? [...b.properties, 'hs_object_id', 'createdate', 'lastmodifieddate'] : SEARCH_DEFAULT_PROPERTIES;
    const more = offset + limit < rows.length;
    return [200, {
      total: rows.length,
      results: page.map((r) => ({ id: r.id, properties: pick(r.properties, wanted), createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false })),
      ...(more ? { paging: { next: this.pageToken(offset + limit) } } : {}),
    }];
  }
}

/** The spec's own example token, "NTI1Cg%3D%3D", is base64 of "525\n", URL-encoded: offsets are made the same way. */
function toPageToken(offset: number): string {
  return encodeURIComponent(Buffer.from(`${offset}\n`).toString('base64'));
}

function fromPageToken(after: unknown): number {
  if (after === '0' || after === '') return 0;
  if (typeof after !== 'string') return NaN;
  const text = Buffer.from(decodeURIComponent(after), 'base64').toString('utf8');
  return /^\d+\n$/.test(text) ? Number(text) : NaN;
}

const ASSOCIATION_CATEGORIES = ['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK'];

/**
 * What HubSpot's OpenAPI spec requires of a request body (the `required` lists and types of
 * SimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInput, SimplePublicObjectInputForCreate,
 * PublicAssociationsForObject, AssociationSpec, BatchReadInputSimplePublicObjectId, PublicDefaultAssociationMultiPost
 * and PublicObjectSearchRequest); undefined when the body has it all.
 */
function requestSchemaError(path: string, body: unknown): string | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const textMap = (x: unknown) => isObject(x) && Object.values(x).every((v) => typeof v === 'string');
  const idOf = (x: unknown) => isObject(x) && typeof x.id === 'string';
  const inputs = Array.isArray(b.inputs) ? (b.inputs as unknown[]) : undefined;
  if (/\/batch\/(upsert|update)$/.test(path)) {
    if (!inputs) return 'Invalid input JSON: "inputs" is required';
    const i = inputs.findIndex((x) => !isObject(x) || typeof x.id !== 'string' || !textMap(x.properties));
    return i >= 0 ? `Invalid input JSON: inputs[${i}] needs "id" (a string) and "properties" (string values)` : undefined;
  }
  if (/\/batch\/create$/.test(path)) {
    if (!inputs) return 'Invalid input JSON: "inputs" is required';
    for (const [i, x] of inputs.entries()) {
      if (!isObject(x) || !textMap(x.properties) || !Array.isArray(x.associations)) return `Invalid input JSON: inputs[${i}] needs "properties" (string values) and "associations"`;
      for (const a of x.associations as unknown[]) {
        if (!isObject(a) || !idOf(a.to) || !Array.isArray(a.types)) return `Invalid input JSON: inputs[${i}].associations needs "to" ({id}) and "types"`;
        const badType = (a.types as unknown[]).some((t) => !isObject(t) || !ASSOCIATION_CATEGORIES.includes(t.associationCategory as string) || !Number.isInteger(t.associationTypeId));
        if (badType) return `Invalid input JSON: inputs[${i}].associations[].types needs "associationCategory" (${ASSOCIATION_CATEGORIES.join(', ')}) and an integer "associationTypeId"`;
      }
    }
    return undefined;
  }
  if (/\/batch\/read$/.test(path)) {
    for (const name of ['inputs', 'properties', 'propertiesWithHistory']) if (!Array.isArray(b[name])) return `Invalid input JSON: "${name}" is required`;
    return inputs!.every(idOf) ? undefined : 'Invalid input JSON: every input needs "id" (a string)';
  }
  if (/\/batch\/associate\/default$/.test(path)) {
    if (!inputs) return 'Invalid input JSON: "inputs" is required';
    return inputs.every((x) => isObject(x) && idOf(x.from) && idOf(x.to)) ? undefined : 'Invalid input JSON: every input needs "from" and "to" ({id})';
  }
  if (/\/search$/.test(path)) {
    if (typeof b.after !== 'string') return 'Invalid input JSON: "after" (a string) is required';
    if (!Number.isInteger(b.limit)) return 'Invalid input JSON: "limit" (an integer) is required';
    for (const name of ['filterGroups', 'properties', 'sorts']) if (!Array.isArray(b[name])) return `Invalid input JSON: "${name}" is required`;
  }
  return undefined;
}

function validation400(message: string): Reply {
  return [400, { status: 'error', message, correlationId: randomUUID(), category: 'VALIDATION_ERROR' }];
}

function propertyError(name: string, code: string, message: string) {
  const embedded = JSON.stringify([{ isValid: false, message, error: code, name, localizedErrorMessage: message, portalId: 891936587 }]);
  const item = { status: 'error', category: 'VALIDATION_ERROR', message: `Property values were not valid: ${embedded}` };
  const whole: Reply = [400, { ...item, correlationId: randomUUID(), errors: [{ message, code, context: { propertyName: [name] } }] }];
  return { whole, item };
}

function matches(r: HsRecord, f: { propertyName: string; operator: string; value?: string }): boolean {
  const c = compareValues(r.properties[f.propertyName], f.value);
  switch (f.operator) {
    case 'EQ': return c === 0;
    case 'GT': return c > 0;
    case 'GTE': return c >= 0;
    case 'LT': return c < 0;
    case 'LTE': return c <= 0;
    case 'HAS_PROPERTY': return r.properties[f.propertyName] !== undefined;
    default: return false;
  }
}

/**
 * Dates compare as instants whether given as ISO text or epoch milliseconds, as HubSpot's filters accept both, and
 * numbers (hs_object_id is a number property) as numbers: id 9999 comes before id 10000.
 */
function sortKey(v: string | undefined): { ms: number; text: string } {
  const ms = v === undefined ? NaN : /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  return { ms, text: v ?? '' };
}

function compareKeys(a: { ms: number; text: string }, b: { ms: number; text: string }): number {
  if (Number.isFinite(a.ms) && Number.isFinite(b.ms)) return a.ms - b.ms;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

function compareValues(a: string | undefined, b: string | undefined): number {
  return compareKeys(sortKey(a), sortKey(b));
}

function pick(props: Record<string, string>, names: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const n of names) out[n] = props[n] ?? null;
  return out;
}

/** A zone's offset from UTC at `at`, in ms, as HubSpot reports it beside the zone's name. */
function offsetIn(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - Math.floor(at / 60_000) * 60_000;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A small seeded RNG, so a fault run can be repeated exactly. */
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

/**
 * HubSpot's batch writes answer their results in no particular order, not the inputs' ("The results array is returned
 * in a random order", HubSpot/hubspot-api-nodejs#190; HubSpot: "The issue on API side we can't fix"): the mock answers
 * them last input first, so an adapter that read them by position would name the wrong records.
 */
function notInInputOrder<T>(results: readonly T[]): T[] {
  return [...results].reverse();
}
