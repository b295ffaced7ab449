import { after, afterEach, before } from 'node:test';
import type { CrmCustomer, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import type { HttpTransport } from '../../../../nodes/core/http/http-transport';
import { createHubSpotAdapter, hubspotAxiosTransport, parseHubSpotSettings, type HubSpotSettingsInput } from '../../../../nodes/core/crm/saas/hubspot';
import { HubSpotMock, type HubSpotMockOptions } from './mocks/hubspot-mock';

export const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
export const T0 = Date.parse('2025-03-01T12:00:00.000Z');

/** A clock the mock, the token cache and the search pacer share; sleeping advances it instead of waiting. */
export function fakeClock(start = T0) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => void (t += ms),
  };
}

/** nock for one test file: no real network, interceptors gone after each test. */
export function useNock(): void {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  before(async () => {
    nock = (await import('nock')).default;
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  after(() => {
    nock.enableNetConnect();
    nock.restore();
  });
}

export async function hubspot(options: { mock?: HubSpotMockOptions; settings?: Partial<HubSpotSettingsInput>; wrap?: (http: HttpTransport) => HttpTransport } = {}) {
  const clock = fakeClock();
  const mock = await HubSpotMock.start({ privateAppToken: TOKEN, now: clock.now, ...options.mock });
  const settings = parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: TOKEN }, ...options.settings });
  const real = hubspotAxiosTransport(settings, clock.now);
  const http = options.wrap ? options.wrap(real) : real;
  const adapter = createHubSpotAdapter({ http, settings, pacer: { now: clock.now, sleep: clock.sleep } });
  return { mock, adapter, settings, clock };
}

export function customer(n: number, profile: CrmCustomer['profile'] = {}): CrmCustomer {
  return { externalId: `cus_${n}`, profile: { givenName: 'Ana', familyName: `Diaz${n}`, email: `ana${n}@example.com`, phone: '+14155550100', city: 'Oakland', ...profile } };
}

export function payment(n: number, customerN: number, over: Partial<CrmPayment> = {}): CrmPayment {
  return {
    externalId: `stripe:pi_${n}`,
    customerExternalId: `cus_${customerN}`,
    source: 'stripe',
    paymentId: `pi_${n}`,
    amount: { minor: 4599, currency: 'USD' },
    refunded: { minor: 0, currency: 'USD' },
    status: 'succeeded',
    occurredAt: '2025-03-01T11:58:00.000Z',
    card: { brand: 'visa', last4: '4242', entryMode: 'contactless' },
    terminal: { readerId: 'tmr_1', locationId: 'tml_9' },
    ...over,
  };
}

/** The inputs HubSpot received on each call to a path, as sent. */
export function sentInputs(mock: HubSpotMock, pathPart: string): { id?: string; idProperty?: string; objectWriteTraceId?: string; properties?: Record<string, string> }[][] {
  return mock.callsTo(pathPart).map((c) => (c.body as { inputs: never[] }).inputs);
}
