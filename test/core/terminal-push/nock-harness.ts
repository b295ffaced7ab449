import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';

// nock 15 is an ES module; the tests compile to CommonJS.
export type Nock = typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;

/** What a vendor mock received, for asserting the exact request sent. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body text. */
  body: string;
}

/**
 * nock for one describe block: real HTTP from axiosTransport is intercepted, nothing reaches the network, and every
 * mock a test set up must have been called (a mock left over means the adapter skipped a request).
 */
export function useNock(): () => Nock {
  let nock: Nock;
  before(async () => {
    nock = (await import('nock')).default;
    // Another describe in the same process may have restored it.
    if (!nock.isActive()) nock.activate();
  });
  after(() => nock.restore());
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    assert.deepEqual(pending, [], 'every mocked vendor request was made');
  });
  return () => nock;
}

/**
 * A reply function that records the request into `seen` and answers `status` with `body`. nock 15 calls it with
 * the intercepted request as a fetch Request.
 */
export function recordInto(seen: Seen[], status: number, body?: unknown, headers: Record<string, string> = {}) {
  return async (request: Request): Promise<[number, unknown, Record<string, string>]> => {
    const flat: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      flat[k.toLowerCase()] = v;
    });
    const url = new URL(request.url);
    seen.push({ method: request.method, path: `${url.pathname}${url.search}`, headers: flat, body: await request.text() });
    return [status, body === undefined ? '' : body, body === undefined || typeof body === 'string' ? headers : { 'content-type': 'application/json', ...headers }];
  };
}

/** A form-encoded body as a multimap, the way Stripe reads it. */
export function form(body: string): URLSearchParams {
  return new URLSearchParams(body);
}
