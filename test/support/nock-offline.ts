import { after, afterEach, beforeEach } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * In the describe that calls it: no request leaves the process except to a nock scope (an unmocked call fails at
 * once, naming its host), scopes are cleared after each test, and nock lets go of http after the last.
 */
export function nockOffline(): void {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  after(() => nock.restore());
}
