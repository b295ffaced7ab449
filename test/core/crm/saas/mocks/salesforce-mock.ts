import { createVerify, type KeyObject } from 'node:crypto';

/**
 * A contract mock of the Salesforce REST API, on nock, that keeps state. It answers as the REST API Developer Guide
 * documents (sources next to each answer) and refuses what Salesforce refuses: more than 200 records per
 * collection call, unknown fields, missing required fields, bad e-mail addresses, too-long strings, unknown
 * foreign external ids, expired sessions, an org out of daily API requests. Several records on one external id
 * answer DUPLICATE_EXTERNAL_ID in a collection and 300 Multiple Choices on the single-record resource.
 *
 * Shapes used here:
 * - token answers: "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration" and "OAuth 2.0 Client Credentials
 *   Flow" (access_token, instance_url, id, token_type, issued_at, signature; errors {error, error_description});
 * - UpsertResult list {id, success, errors[{statusCode, message, fields}], created}: "Upsert Records Using sObject
 *   Collections"; request errors [{message, errorCode}]: "Status Codes and Error Responses";
 * - query answers {totalSize, done, nextRecordsUrl, records[{attributes{type,url}, …}]}: "Execute a SOQL Query";
 * - messages such as "record limit reached. cannot submit more than 200 records into this call" (EXCEEDED_ID_LIMIT),
 *   "TotalRequests Limit exceeded." (REQUEST_LIMIT_EXCEEDED), "Session expired or invalid" (INVALID_SESSION_ID),
 *   "Foreign key external ID: … not found for field … in entity …" and "…: more than one record found for external
 *   id field: [ids]" are the texts Salesforce returns (as reported verbatim in client libraries' issue trackers).
 */

export type Nock = typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;

type FieldType = 'id' | 'string' | 'email' | 'number' | 'boolean' | 'date' | 'datetime' | 'reference';
interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  maxLength?: number;
  requiredOnCreate?: boolean;
  writable?: boolean;
  externalId?: boolean;
  referenceTo?: string;
}
interface ObjectDef {
  name: string;
  label: string;
  idPrefix: string;
  fields: Map<string, FieldDef>;
}
export interface SalesforceRow {
  Id: string;
  SystemModstamp: string;
  [field: string]: unknown;
}
export interface MockCall {
  method: string;
  path: string;
  status: number;
  fault?: FaultKind;
  records?: number;
}
export type FaultKind = 'rate' | 'server' | 'timeout';

export interface FaultOptions {
  seed: number;
  /** Fractions of data calls answered with Salesforce's concurrency limit (403), a 500, or a late answer. */
  rate?: number;
  server?: number;
  timeout?: number;
  /** How late a "timeout" answer comes; the write is done first, so the client loses an answer, not a write. */
  timeoutDelayMs?: number;
}

export interface SalesforceMockOptions {
  instanceUrl?: string;
  loginUrl?: string;
  /** A sandbox org: its JWTs name https://test.salesforce.com as audience, a production org's https://login.salesforce.com. */
  sandbox?: boolean;
  /**
   * The app is an External Client App that takes only the org's My Domain (the login URL) as the JWT's audience,
   * answering the generic hosts "audience is invalid".
   */
  myDomainAudience?: boolean;
  apiVersion?: string;
  consumerKey?: string;
  username?: string;
  /** The certificate's public key the connected app holds: JWT assertions are verified with it. */
  publicKey?: KeyObject | string;
  clientSecret?: string;
  /** The org's rolling 24-hour request allocation. */
  dailyLimit?: number;
  /** Largest query page the org hands out, whatever batchSize asks (Salesforce may return fewer than asked). */
  queryPageSize?: number;
  now?: () => number;
  faults?: FaultOptions;
  /** Custom Contact fields beyond the pack's defaults, e.g. ['Favourite_Drink__c']. */
  extraContactFields?: string[];
  /** Several-matches errors without the bracketed ids (as some API versions word them): clients must ask for the 300. */
  terseDuplicateErrors?: boolean;
  /** Fields (Object.Field) the integration user's profile may read but not edit (Field-Level Security). */
  readOnlyForProfile?: string[];
  /**
   * External id values another writer creates a record for just before this org handles an upsert naming them (two
   * upserts of one new key at once): that upsert meets the unique index, DUPLICATE_VALUE, as Salesforce answers it.
   */
  createdMeanwhile?: string[];
  /**
   * An active duplicate rule on Contact matching on Email (Salesforce's standard contact rule blocks or alerts the
   * same way): creating a Contact whose email another Contact has answers DUPLICATES_DETECTED with the
   * duplicateResult REST returns (DuplicateResult → matchResults → matchRecords → record).
   */
  contactDuplicateRule?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

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

const field = (name: string, type: FieldType, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type, writable: true, ...extra });

function objectDef(name: string, label: string, idPrefix: string, fields: FieldDef[]): ObjectDef {
  return { name, label, idPrefix, fields: new Map(fields.map((f) => [f.name.toLowerCase(), f])) };
}

/** Lengths are Salesforce's standard Contact field lengths (Object Reference: Contact). */
function contactDef(extra: string[]): ObjectDef {
  return objectDef('Contact', 'Contact', '003', [
    field('Id', 'id', 'Contact ID', { writable: false }),
    field('Name', 'string', 'Full Name', { writable: false }),
    field('FirstName', 'string', 'First Name', { maxLength: 40 }),
    field('LastName', 'string', 'Last Name', { maxLength: 80, requiredOnCreate: true }),
    field('Email', 'email', 'Email', { maxLength: 80 }),
    field('Phone', 'string', 'Business Phone', { maxLength: 40 }),
    field('MobilePhone', 'string', 'Mobile Phone', { maxLength: 40 }),
    field('MailingStreet', 'string', 'Mailing Street', { maxLength: 255 }),
    field('MailingCity', 'string', 'Mailing City', { maxLength: 40 }),
    field('MailingState', 'string', 'Mailing State/Province', { maxLength: 80 }),
    field('MailingPostalCode', 'string', 'Mailing Zip/Postal Code', { maxLength: 20 }),
    field('MailingCountry', 'string', 'Mailing Country', { maxLength: 80 }),
    field('MailingCountryCode', 'string', 'Mailing Country Code', { maxLength: 2 }),
    field('Birthdate', 'date', 'Birthdate'),
    field('SystemModstamp', 'datetime', 'System Modstamp', { writable: false }),
    field('Terminal_CRM_Id__c', 'string', 'Terminal CRM Id', { maxLength: 255, externalId: true }),
    field('terminal_crm_segment__c', 'string', 'Segment', { maxLength: 80 }),
    field('terminal_crm_high_value__c', 'boolean', 'High Value'),
    field('loyalty_tier__c', 'string', 'Loyalty Tier', { maxLength: 40 }),
    field('loyalty_points__c', 'number', 'Loyalty Points'),
    ...extra.map((n) => field(n, 'string', n, { maxLength: 255 })),
  ]);
}

function paymentDef(): ObjectDef {
  return objectDef('Terminal_Payment__c', 'Terminal Payment', 'a0P', [
    field('Id', 'id', 'Record ID', { writable: false }),
    // An auto-number Name: not writable.
    field('Name', 'string', 'Payment Number', { writable: false }),
    field('Payment_Key__c', 'string', 'Payment Key', { maxLength: 255, externalId: true }),
    field('Contact__c', 'reference', 'Contact', { referenceTo: 'Contact' }),
    field('Source__c', 'string', 'Source', { maxLength: 40 }),
    field('Payment_Id__c', 'string', 'Payment Id', { maxLength: 255 }),
    field('Amount_Minor__c', 'number', 'Amount (minor units)'),
    field('Refunded_Minor__c', 'number', 'Refunded (minor units)'),
    field('Currency__c', 'string', 'Currency', { maxLength: 3 }),
    field('Status__c', 'string', 'Status', { maxLength: 40 }),
    field('Occurred_At__c', 'datetime', 'Occurred At'),
    field('Card_Brand__c', 'string', 'Card Brand', { maxLength: 40 }),
    field('Card_Last4__c', 'string', 'Card Last 4', { maxLength: 4 }),
    field('Entry_Mode__c', 'string', 'Entry Mode', { maxLength: 40 }),
    field('Wallet__c', 'string', 'Wallet', { maxLength: 40 }),
    field('Reader_Id__c', 'string', 'Reader Id', { maxLength: 255 }),
    field('Location_Id__c', 'string', 'Location Id', { maxLength: 255 }),
    field('SystemModstamp', 'datetime', 'System Modstamp', { writable: false }),
  ]);
}

type Reply = [number, unknown, Record<string, string>?];
const sfError = (errorCode: string, message: string) => [{ message, errorCode }];
const recordError = (statusCode: string, message: string, fields: string[] = []) => ({ statusCode, message, fields });

export class SalesforceMock {
  readonly instanceUrl: string;
  readonly loginUrl: string;
  readonly apiVersion: string;
  readonly calls: MockCall[] = [];
  tokenRequests = 0;
  private readonly opts: SalesforceMockOptions;
  private readonly now: () => number;
  private readonly rng: () => number;
  private readonly objects = new Map<string, ObjectDef>();
  private readonly rows = new Map<string, Map<string, SalesforceRow>>();
  private readonly tokens = new Set<string>();
  private readonly apiCallTimes: number[] = [];
  private readonly forced: FaultKind[] = [];
  private readonly locators = new Map<string, { rows: SalesforceRow[]; fields: FieldDef[]; object: ObjectDef; pageSize: number }>();
  private counter = 0;

  constructor(options: SalesforceMockOptions = {}) {
    this.opts = options;
    this.instanceUrl = options.instanceUrl ?? 'https://acme.my.salesforce.com';
    this.loginUrl = options.loginUrl ?? 'https://login.salesforce.com';
    this.apiVersion = options.apiVersion ?? 'v66.0';
    this.now = options.now ?? Date.now;
    this.rng = mulberry32(options.faults?.seed ?? 1);
    for (const def of [contactDef(options.extraContactFields ?? []), paymentDef()]) {
      for (const f of def.fields.values()) if (options.readOnlyForProfile?.some((n) => n.toLowerCase() === `${def.name}.${f.name}`.toLowerCase())) f.writable = false;
      this.objects.set(def.name.toLowerCase(), def);
      this.rows.set(def.name.toLowerCase(), new Map());
    }
  }

  install(nock: Nock): this {
    nock(this.loginUrl).persist().post('/services/oauth2/token').reply(async (req: Request) => this.token(await req.text()));
    for (const method of ['GET', 'PATCH', 'POST', 'DELETE']) {
      nock(this.instanceUrl)
        .persist()
        .intercept(/^\/services\/data\//, method)
        // Every answer carries its Date (RFC 9110 §6.6.1), by the mock's clock.
        .reply(async (req: Request) => this.dated(await this.data(req)));
    }
    return this;
  }

  // ---- state for tests -------------------------------------------------------------------------------------

  private dated(r: Reply): Reply {
    return [r[0], r[1], { date: new Date(this.now()).toUTCString(), ...r[2] }];
  }

  records(object: string): SalesforceRow[] {
    return [...(this.rows.get(object.toLowerCase())?.values() ?? [])].map((r) => ({ ...r }));
  }

  /** Every record of `object` whose `field` holds `value` (external ids match case-insensitively, as Salesforce's do). */
  find(object: string, fieldName: string, value: string): SalesforceRow[] {
    return this.records(object).filter((r) => String(r[this.canonical(object, fieldName)] ?? '').toLowerCase() === value.toLowerCase());
  }

  /** A record created around the pack (an import, a person): bypasses validation, as data loads with bypass rules do. */
  seed(object: string, values: Record<string, unknown>): SalesforceRow {
    const def = this.def(object)!;
    const row: SalesforceRow = { ...values, Id: this.newId(def), SystemModstamp: this.stamp() };
    this.rows.get(def.name.toLowerCase())!.set(row.Id, row);
    return { ...row };
  }

  /** A person edits a record in Salesforce: the values change and SystemModstamp moves. */
  edit(object: string, id: string, values: Record<string, unknown>): void {
    const row = this.rows.get(object.toLowerCase())?.get(id);
    if (!row) throw new Error(`no ${object} ${id}`);
    Object.assign(row, values, { SystemModstamp: this.stamp() });
  }

  /** Every session ends (timeout, password change, admin revoke): the next call answers 401 INVALID_SESSION_ID. */
  expireSessions(): void {
    this.tokens.clear();
  }

  /** The next data calls fail this way, in order, before the random faults are considered. */
  failNext(...kinds: FaultKind[]): void {
    this.forced.push(...kinds);
  }

  dataCalls(match?: RegExp): MockCall[] {
    return this.calls.filter((c) => !match || match.test(`${c.method} ${c.path}`));
  }

  // ---- token endpoint --------------------------------------------------------------------------------------

  private token(body: string): Reply {
    this.tokenRequests++;
    const form = new URLSearchParams(body);
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const refused = this.checkAssertion(form.get('assertion') ?? '');
      if (refused) return [400, refused];
    } else if (grant === 'client_credentials') {
      // Client credentials are served on My Domain only.
      if (/^https:\/\/(login|test)\.salesforce\.com$/.test(this.loginUrl)) {
        return [400, { error: 'invalid_grant', error_description: 'request not supported on this domain' }];
      }
      if (form.get('client_id') !== (this.opts.consumerKey ?? '3MVG9consumerKey') || form.get('client_secret') !== this.opts.clientSecret) {
        return [400, { error: 'invalid_client', error_description: 'invalid client credentials' }];
      }
    } else {
      return [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }];
    }
    const token = `00D5g000004Ab1C!AQ${this.counter++}.${Math.floor(this.rng() * 1e12).toString(36)}`;
    this.tokens.add(token);
    return [
      200,
      {
        access_token: token,
        signature: 'c2lnbmF0dXJl',
        ...(grant === 'client_credentials' ? { scope: 'api' } : {}),
        instance_url: this.instanceUrl,
        id: 'https://login.salesforce.com/id/00D5g000004Ab1CEAS/0055g00000Bc9QaAAJ',
        token_type: 'Bearer',
        issued_at: String(this.now()),
      },
    ];
  }

  private checkAssertion(assertion: string): { error: string; error_description: string } | undefined {
    const invalid = { error: 'invalid_grant', error_description: 'invalid assertion' };
    const [h, c, sig] = assertion.split('.');
    if (!h || !c || !sig || !this.opts.publicKey) return invalid;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${h}.${c}`);
    if (!verifier.verify(this.opts.publicKey, Buffer.from(sig, 'base64url'))) return invalid;
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as { iss?: string; sub?: string; aud?: string; exp?: number };
    if (header.alg !== 'RS256') return invalid;
    if (claims.iss !== (this.opts.consumerKey ?? '3MVG9consumerKey')) return { error: 'invalid_client_id', error_description: 'client identifier invalid' };
    // Salesforce's authorization server, not the URL the token was asked at (a My Domain is not an audience).
    const audience = this.opts.myDomainAudience ? this.loginUrl : this.opts.sandbox ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
    if (claims.aud !== audience) return { error: 'invalid_grant', error_description: 'audience is invalid' };
    if (claims.sub !== (this.opts.username ?? 'integration@acme.example')) return { error: 'invalid_grant', error_description: "user hasn't approved this consumer" };
    const nowSec = this.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp < nowSec || claims.exp > nowSec + 180) return { error: 'invalid_grant', error_description: 'expired access/refresh token' };
    return undefined;
  }

  // ---- data API --------------------------------------------------------------------------------------------

  private async data(req: Request): Promise<Reply> {
    const url = new URL(req.url);
    const path = decodeURIComponent(url.pathname);
    const call: MockCall = { method: req.method, path, status: 0 };
    this.calls.push(call);
    const finish = (r: Reply): Reply => {
      call.status = r[0];
      return r;
    };
    const token = /^Bearer (.+)$/.exec(req.headers.get('authorization') ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return finish([401, sfError('INVALID_SESSION_ID', 'Session expired or invalid')]);

    const now = this.now();
    while (this.apiCallTimes.length && this.apiCallTimes[0]! <= now - DAY_MS) this.apiCallTimes.shift();
    const limit = this.opts.dailyLimit ?? 15_000;
    if (this.apiCallTimes.length >= limit) return finish([403, sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')]);
    this.apiCallTimes.push(now);

    const fault = this.forced.shift() ?? this.randomFault();
    call.fault = fault;
    if (fault === 'rate') return finish([403, sfError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.')]);
    if (fault === 'server') {
      return finish([500, sfError('UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1284703925-41517 (-1127271394)')]);
    }
    const text = await req.text();
    const reply = this.route(req.method, path, url.searchParams, req.headers, text, call);
    reply[2] = { ...(reply[2] ?? {}), 'sforce-limit-info': `api-usage=${this.apiCallTimes.length}/${limit}` };
    if (fault === 'timeout') await new Promise((r) => setTimeout(r, this.opts.faults?.timeoutDelayMs ?? 500));
    return finish(reply);
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

  private route(method: string, path: string, qs: URLSearchParams, headers: Headers, text: string, call: MockCall): Reply {
    const base = `/services/data/${this.apiVersion}`;
    if (!path.startsWith(`${base}/`)) return [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
    const rest = path.slice(base.length + 1).split('/');
    if (method === 'PATCH' && rest[0] === 'composite' && rest[1] === 'sobjects' && rest.length === 4) {
      return this.collectionUpsert(rest[2]!, rest[3]!, text, call);
    }
    if (method === 'GET' && rest[0] === 'sobjects' && rest.length === 4) return this.getByExternalId(rest[1]!, rest[2]!, rest[3]!);
    if (method === 'GET' && rest[0] === 'query' && rest.length === 1) return this.query(qs.get('q') ?? '', headers);
    if (method === 'GET' && rest[0] === 'query' && rest.length === 2) return this.queryMore(rest[1]!);
    return [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
  }

  private collectionUpsert(objectName: string, externalIdField: string, text: string, call: MockCall): Reply {
    const def = this.def(objectName);
    if (!def) return [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
    const ext = def.fields.get(externalIdField.toLowerCase());
    if (!ext?.externalId) return [400, sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${externalIdField}`)];
    let body: { allOrNone?: boolean; records?: Record<string, unknown>[] };
    try {
      body = JSON.parse(text);
    } catch {
      return [400, sfError('JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value')];
    }
    const records = body.records ?? [];
    call.records = records.length;
    if (records.length > 200) return [400, sfError('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call')];
    for (const r of records) {
      // "Each object in the request body must contain an attributes map. The map must contain a value for type" and
      // "The list can contain objects only of the type indicated in the request URI" (sObject Collections, Upsert).
      const type = (r.attributes as { type?: unknown } | undefined)?.type;
      if (typeof type !== 'string' || type.toLowerCase() !== def.name.toLowerCase()) {
        return [400, sfError('INVALID_TYPE', typeof type === 'string' ? `The type ${type} does not match the ${def.name} of the request URI` : 'Must send a concrete entity type.')];
      }
      for (const [key, value] of Object.entries(r)) {
        if (key === 'attributes' || this.relationship(def, key)) continue;
        const f = def.fields.get(key.toLowerCase());
        if (!f) return [400, sfError('INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`)];
        if (f.type === 'number' && value !== null && typeof value !== 'number') {
          return [400, sfError('JSON_PARSER_ERROR', `Cannot deserialize instance of double from VALUE_STRING value ${String(value)} or request may be missing a required field`)];
        }
      }
    }
    const seen = new Map<string, number>();
    for (const r of records) {
      const v = String(r[ext.name] ?? '').toLowerCase();
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    if (body.allOrNone) return [400, sfError('INVALID_OPERATION', 'the mock serves allOrNone: false only')];
    return [200, records.map((r) => this.upsertOne(def, ext, r, seen))];
  }

  private upsertOne(def: ObjectDef, ext: FieldDef, r: Record<string, unknown>, seen: Map<string, number>) {
    const key = typeof r[ext.name] === 'string' ? (r[ext.name] as string) : '';
    if (!key) return { success: false, errors: [recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${ext.name}]`, [ext.name])] };
    if ((seen.get(key.toLowerCase()) ?? 0) > 1) {
      return { success: false, errors: [recordError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`, [ext.name])] };
    }
    const table = this.rows.get(def.name.toLowerCase())!;
    const meanwhile = this.opts.createdMeanwhile?.indexOf(key) ?? -1;
    if (meanwhile >= 0 && ![...table.values()].some((row) => String(row[ext.name] ?? '').toLowerCase() === key.toLowerCase())) {
      this.opts.createdMeanwhile!.splice(meanwhile, 1);
      const other: SalesforceRow = { [ext.name]: key, LastName: 'Created meanwhile', Id: this.newId(def), SystemModstamp: this.stamp() };
      table.set(other.Id, other);
      return { success: false, errors: [recordError('DUPLICATE_VALUE', `duplicate value found: ${ext.name} duplicates value on record with id: ${other.Id}`, [])] };
    }
    const matches = [...table.values()].filter((row) => String(row[ext.name] ?? '').toLowerCase() === key.toLowerCase());
    if (matches.length > 1) {
      const ids = this.opts.terseDuplicateErrors ? '' : `: [${matches.map((m) => m.Id).join(', ')}]`;
      return { success: false, errors: [recordError('DUPLICATE_EXTERNAL_ID', `${ext.label}: more than one record found for external id field${ids}`)] };
    }
    const values: Record<string, unknown> = {};
    for (const [k, value] of Object.entries(r)) {
      if (k === 'attributes') continue;
      const rel = this.relationship(def, k);
      if (rel) {
        const [refField, refValue] = Object.entries((value ?? {}) as Record<string, unknown>)[0] ?? [];
        const target = this.def(rel.referenceTo!)!;
        const found = [...this.rows.get(target.name.toLowerCase())!.values()].filter(
          (row) => String(row[this.canonical(target.name, String(refField))] ?? '').toLowerCase() === String(refValue).toLowerCase(),
        );
        if (found.length !== 1) {
          return { success: false, errors: [recordError('INVALID_FIELD', `Foreign key external ID: ${String(refValue)} not found for field ${String(refField)} in entity ${target.name}`)] };
        }
        values[rel.name] = found[0]!.Id;
        continue;
      }
      const f = def.fields.get(k.toLowerCase())!;
      const problem = this.invalid(f, value);
      if (problem) return { success: false, errors: [problem] };
      values[f.name] = value;
    }
    const existing = matches[0];
    const merged = { ...(existing ?? {}), ...values };
    const missing = [...def.fields.values()].filter((f) => f.requiredOnCreate && (merged[f.name] === undefined || merged[f.name] === null || merged[f.name] === ''));
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      return { success: false, errors: [recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names)] };
    }
    const email = typeof merged.Email === 'string' ? merged.Email.toLowerCase() : '';
    const alike = !existing && def.name === 'Contact' && this.opts.contactDuplicateRule && email ? [...table.values()].filter((row) => String(row.Email ?? '').toLowerCase() === email) : [];
    if (alike.length > 0) {
      const url = (id: string) => `/services/data/${this.apiVersion}/sobjects/Contact/${id}`;
      return {
        success: false,
        errors: [
          {
            ...recordError('DUPLICATES_DETECTED', 'Use one of these records?'),
            duplicateResult: {
              allowSave: false,
              duplicateRule: 'Standard_Contact_Duplicate_Rule',
              duplicateRuleEntityType: 'Contact',
              errorMessage: "You're creating a duplicate record. We recommend you use an existing record instead.",
              matchResults: [
                {
                  entityType: 'Contact',
                  errors: [],
                  matchEngine: 'FuzzyMatchEngine',
                  matchRecords: alike.map((row) => ({ additionalInformation: [], fieldDiffs: [], matchConfidence: 100, record: { attributes: { type: 'Contact', url: url(row.Id) }, Id: row.Id } })),
                  rule: 'Standard_Rule_for_Contacts_with_Duplicate_Contacts',
                  size: alike.length,
                  success: true,
                },
              ],
            },
          },
        ],
      };
    }
    if (existing) {
      Object.assign(existing, values, { SystemModstamp: this.stamp() });
      return { id: existing.Id, success: true, errors: [], created: false };
    }
    const row: SalesforceRow = { ...values, Id: this.newId(def), SystemModstamp: this.stamp() };
    table.set(row.Id, row);
    return { id: row.Id, success: true, errors: [], created: true };
  }

  private invalid(f: FieldDef, value: unknown) {
    if (!f.writable) {
      return recordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        [f.name],
      );
    }
    if (value === null) return undefined;
    if (f.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(value))) {
      return recordError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${String(value)}`, [f.name]);
    }
    if (f.maxLength !== undefined && String(value).length > f.maxLength) {
      return recordError('STRING_TOO_LONG', `${f.label}: data value too large: ${String(value)} (max length=${f.maxLength})`, [f.name]);
    }
    if (f.type === 'reference' && !this.rows.get(f.referenceTo!.toLowerCase())!.has(String(value))) {
      return recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]);
    }
    if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
      return recordError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${f.label}: value not of required type: ${String(value)}`, [f.name]);
    }
    return undefined;
  }

  /** Contact__r on an object whose Contact__c looks up Contact; the nested object names the target by an external id. */
  private relationship(def: ObjectDef, key: string): FieldDef | undefined {
    if (!/__r$/i.test(key)) return undefined;
    const f = def.fields.get(key.replace(/__r$/i, '__c').toLowerCase());
    return f?.type === 'reference' ? f : undefined;
  }

  private getByExternalId(objectName: string, fieldName: string, value: string): Reply {
    const def = this.def(objectName);
    if (!def || !def.fields.get(fieldName.toLowerCase())?.externalId) return [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
    const found = this.find(def.name, fieldName, value);
    if (found.length === 0) return [404, sfError('NOT_FOUND', 'The requested resource does not exist')];
    if (found.length > 1) return [300, found.map((r) => `/services/data/${this.apiVersion}/sobjects/${def.name}/${r.Id}`)];
    return [200, this.withAttributes(def, found[0]!, [...def.fields.values()])];
  }

  private query(soql: string, headers: Headers): Reply {
    const m = /^SELECT (.+) FROM (\w+)(?: WHERE SystemModstamp > (\S+) OR \(SystemModstamp = (\S+) AND Id > '(\w+)'\))? ORDER BY SystemModstamp, Id LIMIT (\d+)$/.exec(soql);
    if (!m) return [400, sfError('MALFORMED_QUERY', `unexpected token in: ${soql.slice(0, 80)}`)];
    const def = this.def(m[2]!);
    if (!def) return [400, sfError('INVALID_TYPE', `sObject type '${m[2]}' is not supported.`)];
    const fields: FieldDef[] = [];
    for (const name of m[1]!.split(',').map((s) => s.trim())) {
      const f = def.fields.get(name.toLowerCase());
      if (!f) return [400, sfError('INVALID_FIELD', `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`)];
      fields.push(f);
    }
    let rows = [...this.rows.get(def.name.toLowerCase())!.values()];
    if (m[3]) {
      const literal = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;
      if (!literal.test(m[3]) || m[3] !== m[4]) return [400, sfError('MALFORMED_QUERY', `value of filter criterion for field 'SystemModstamp' must be of type dateTime: ${m[3]}`)];
      const at = Date.parse(m[3]);
      rows = rows.filter((r) => this.time(r) > at || (this.time(r) === at && r.Id > m[5]!));
    }
    rows.sort((a, b) => this.time(a) - this.time(b) || (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    rows = rows.slice(0, Number(m[6]));
    const asked = Number(/batchSize=(\d+)/.exec(headers.get('sforce-query-options') ?? '')?.[1] ?? 2000);
    const pageSize = Math.min(Math.max(200, Math.min(2000, asked)), this.opts.queryPageSize ?? 2000);
    const locator = `01g5g00000${(this.counter++).toString(36).padStart(8, '0')}`;
    this.locators.set(locator, { rows, fields, object: def, pageSize });
    return this.page(locator, 0);
  }

  private queryMore(token: string): Reply {
    const m = /^(\w+)-(\d+)$/.exec(token);
    if (!m || !this.locators.has(m[1]!)) return [400, sfError('INVALID_QUERY_LOCATOR', 'invalid query locator')];
    return this.page(m[1]!, Number(m[2]));
  }

  private page(locator: string, offset: number): Reply {
    const q = this.locators.get(locator)!;
    const slice = q.rows.slice(offset, offset + q.pageSize);
    const done = offset + slice.length >= q.rows.length;
    return [
      200,
      {
        totalSize: q.rows.length,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/${this.apiVersion}/query/${locator}-${offset + slice.length}` }),
        records: slice.map((r) => this.withAttributes(q.object, r, q.fields)),
      },
    ];
  }

  private withAttributes(def: ObjectDef, row: SalesforceRow, fields: FieldDef[]): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: def.name, url: `/services/data/${this.apiVersion}/sobjects/${def.name}/${row.Id}` } };
    for (const f of fields) out[f.name] = f.name === 'Name' ? this.name(row) : (row[f.name] ?? null);
    return out;
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private def(object: string): ObjectDef | undefined {
    return this.objects.get(object.toLowerCase());
  }

  private canonical(object: string, fieldName: string): string {
    return this.def(object)?.fields.get(fieldName.toLowerCase())?.name ?? fieldName;
  }

  private name(row: SalesforceRow): string {
    return [row.FirstName, row.LastName].filter(Boolean).join(' ');
  }

  private newId(def: ObjectDef): string {
    // 15 significant characters that sort in creation order, plus a 3-character suffix, like an 18-character id.
    return `${def.idPrefix}5g${(this.counter++).toString(36).padStart(10, '0')}AAA`;
  }

  /** SystemModstamp as Salesforce returns it: to the second, "+0000". */
  private stamp(): string {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().replace('Z', '+0000');
  }

  private time(row: SalesforceRow): number {
    return Date.parse(row.SystemModstamp.replace('+0000', 'Z'));
  }
}
