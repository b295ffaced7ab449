import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrmItemResult, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import { createHubSpotAdapter, hubspotAxiosTransport, parseHubSpotSettings } from '../../../../nodes/core/crm/saas/hubspot';
import { minorToDecimal, paymentProperties } from '../../../../nodes/core/crm/saas/hubspot-payments';
import { customer, fakeClock, hubspot, payment, sentInputs, TOKEN, useNock } from './hubspot-kit';
import { HubSpotMock } from './mocks/hubspot-mock';

useNock();

describe('HubSpot adapter: payments as deals', () => {
  it('upserts each payment as one deal keyed by the payment key and associates it to its contact', async () => {
    const { mock, adapter } = await hubspot();
    const [c1, c2] = await adapter.upsertCustomers([customer(1), customer(2)]);
    const results = await adapter.upsertPayments([payment(1, 1), payment(2, 2, { amount: { minor: 1200, currency: 'JPY' }, refunded: { minor: 0, currency: 'JPY' } })]);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    const [deal, ...more] = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1');
    assert.equal(more.length, 0);
    assert.equal(results[0]!.status === 'synced' && results[0]!.crmId, deal!.id);
    assert.deepEqual(
      { ...deal!.properties, hs_object_id: undefined, createdate: undefined, lastmodifieddate: undefined },
      {
        dealname: 'Card payment 45.99 USD · stripe pi_1', amount: '45.99', deal_currency_code: 'USD', closedate: '2025-03-01T11:58:00.000Z',
        terminal_crm_payment_status: 'succeeded', terminal_crm_refunded_amount: '0.00', pipeline: 'default', dealstage: 'closedwon',
        terminal_crm_payment_key: 'stripe:pi_1', hs_object_id: undefined, createdate: undefined, lastmodifieddate: undefined,
      },
    );
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_2')[0]!.properties.amount, '1200');
    const contactOf = (r: CrmItemResult | undefined) => (r?.status === 'synced' ? r.crmId : '');
    assert.deepEqual([...mock.associations].sort(), [`deals:${deal!.id}->contacts:${contactOf(c1)}`, `deals:${mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_2')[0]!.id}->contacts:${contactOf(c2)}`].sort());
    assert.equal(mock.callsTo('/contacts/batch/read').length, 1, 'contact ids looked up in one batch read');
    const sent = sentInputs(mock, '/deals/batch/upsert')[0]!;
    assert.ok(sent.every((x) => x.idProperty === 'terminal_crm_payment_key'));
    assert.ok(!JSON.stringify(sent).includes('4242'), 'card details stay out unless mapped');
  });

  it('a deal lost to a full refund closes when the refund happened; without a refund time, or mapped elsewhere, the time is the sale\'s', async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1), customer(2)]);
    const refunded = { refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' as const };
    await adapter.upsertPayments([payment(1, 1, { ...refunded, refundedAt: '2025-06-30T16:20:00.000Z' }), payment(2, 2, refunded)]);
    const deal = (n: number) => mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:pi_${n}`)[0]!.properties;
    assert.deepEqual([deal(1).dealstage, deal(1).closedate], ['closedlost', '2025-06-30T16:20:00.000Z']);
    assert.deepEqual([deal(2).dealstage, deal(2).closedate], ['closedlost', payment(2, 2).occurredAt]);

    // The payment's time mapped to a property of the operator's own is the sale's time, whatever the deal's stage.
    const s = parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: TOKEN }, payments: { fields: { occurredAt: 'paid_at' } } });
    assert.equal(paymentProperties(payment(3, 1, { ...refunded, refundedAt: '2025-06-30T16:20:00.000Z' }), s).paid_at, payment(3, 1).occurredAt);
  });

  it('1,001 new deals whose contacts are known: eleven creates carrying their association, no association request', async () => {
    const { mock, adapter } = await hubspot();
    const people = Array.from({ length: 1001 }, (_, i) => i + 1);
    for (let i = 0; i < people.length; i += 100) await adapter.upsertCustomers(people.slice(i, i + 100).map((n) => customer(n)));
    const links = new Map(mock.records('contacts').map((c) => [c.properties.terminal_crm_id!, c.id]));
    const before = mock.calls.length;

    const results = await adapter.upsertPayments(people.map((n) => payment(n, n, { customerCrmId: links.get(`cus_${n}`)! })));

    assert.equal(results.filter((r) => r.status === 'synced').length, 1001);
    const calls = mock.calls.slice(before);
    assert.deepEqual(calls.map((c) => c.path.split('/').slice(-3).join('/')), Array(11).fill('deals/batch/create'));
    const first = (calls[0]!.body as { inputs: { properties: Record<string, string>; associations: { to: { id: string }; types: unknown[] }[] }[] }).inputs[0]!;
    assert.equal(first.properties.terminal_crm_payment_key, 'stripe:pi_1');
    assert.deepEqual(first.associations, [{ to: { id: links.get('cus_1') }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }]);
    assert.equal(mock.associations.size, 1001);
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1001')[0]!;
    assert.ok(mock.associations.has(`deals:${deal.id}->contacts:${links.get('cus_1001')}`));
    assert.equal(results[1000]!.status === 'synced' && results[1000]!.crmId, deal.id);
  });

  it('1,001 deals HubSpot already has: eleven upserts, then one association request for 1,000 and one for the last', async () => {
    const { mock, adapter } = await hubspot();
    const people = Array.from({ length: 1001 }, (_, i) => i + 1);
    for (let i = 0; i < people.length; i += 100) await adapter.upsertCustomers(people.slice(i, i + 100).map((n) => customer(n)));
    const links = new Map(mock.records('contacts').map((c) => [c.properties.terminal_crm_id!, c.id]));
    const sale = (n: number) => payment(n, n, { customerCrmId: links.get(`cus_${n}`)! });
    const deals = new Map((await adapter.upsertPayments(people.map(sale))).map((r) => [r.externalId, (r as { crmId: string }).crmId]));
    assert.equal(adapter.limits.recordsPerCall?.payment, 1000);
    const before = mock.calls.length;

    const refunds = people.map((n) => ({ ...sale(n), crmId: deals.get(`stripe:pi_${n}`)!, refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' as const }));
    const results = await adapter.upsertPayments(refunds);

    assert.equal(results.filter((r) => r.status === 'synced').length, 1001);
    const calls = mock.calls.slice(before);
    assert.deepEqual(calls.map((c) => c.path.split('/').slice(-3).join('/')), [...Array(11).fill('deals/batch/upsert'), 'batch/associate/default', 'batch/associate/default']);
    const associationInputs = calls.filter((c) => c.path.endsWith('/associate/default')).map((c) => (c.body as { inputs: unknown[] }).inputs.length);
    assert.deepEqual(associationInputs, [1000, 1]);
    assert.equal(mock.records('deals').length, 1001);
    assert.ok(mock.records('deals').every((d) => d.properties.dealstage === 'closedlost'));
  });

  for (const associationErrors of ['per-input', 'whole-request'] as const) {
    it(`a contact deleted in HubSpot holds back only its own payment's association, the others' are made (${associationErrors} refusal)`, async () => {
      const { mock, adapter } = await hubspot({ mock: { associationErrors } });
      const people = Array.from({ length: 40 }, (_, i) => i + 1);
      await adapter.upsertCustomers(people.map((n) => customer(n)));
      const links = new Map(mock.records('contacts').map((c) => [c.properties.terminal_crm_id!, c.id]));
      const sale = (n: number) => payment(n, n, { customerCrmId: links.get(`cus_${n}`)! });
      const deals = new Map((await adapter.upsertPayments(people.map(sale))).map((r) => [r.externalId, (r as { crmId: string }).crmId]));
      mock.deleteRecord('contacts', links.get('cus_17')!);
      const before = mock.calls.length;

      const refunds = people.map((n) => ({ ...sale(n), crmId: deals.get(`stripe:pi_${n}`)!, refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' as const }));
      const results = await adapter.upsertPayments(refunds);

      const held = results.filter((r) => r.status !== 'synced');
      assert.deepEqual(held.map((r) => [r.externalId, r.status]), [['stripe:pi_17', 'retry']]);
      assert.match(String((held[0] as { error: Error }).error.message), new RegExp(`associating record ${deals.get('stripe:pi_17')} with contact ${links.get('cus_17')}: No such object for association`));
      const associated = people.filter((n) => mock.associations.has(`deals:${deals.get(`stripe:pi_${n}`)}->contacts:${links.get(`cus_${n}`)}`));
      assert.deepEqual(associated, people.filter((n) => n !== 17));
      // Refused whole, the request is halved down to the one pair: 40 → 20 → 10 → 5 → 3 → 2 → 1, each with its other half.
      const requests = mock.calls.slice(before).filter((c) => c.path.endsWith('/associate/default')).length;
      assert.equal(requests, associationErrors === 'per-input' ? 1 : 13);
    });
  }

  it('a create HubSpot refuses because the deal exists (its answer was lost) goes through the upsert: one deal, associated', async () => {
    const { mock, adapter } = await hubspot();
    const [c1, c2] = (await adapter.upsertCustomers([customer(1), customer(2)])) as { crmId: string }[];
    // The first attempt wrote both deals, but the outbox never heard back: no link to either.
    await adapter.upsertPayments([payment(1, 1, { customerCrmId: c1!.crmId }), payment(2, 2, { customerCrmId: c2!.crmId })]);
    const before = mock.calls.length;

    const results = await adapter.upsertPayments([payment(1, 1, { customerCrmId: c1!.crmId }), payment(3, 2, { customerCrmId: c2!.crmId })]);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    const calls = mock.calls.slice(before);
    assert.deepEqual(calls.map((c) => [c.path.split('/').slice(-2).join('/'), c.status]), [['batch/create', 207], ['batch/upsert', 200], ['associate/default', 200]]);
    assert.match(JSON.stringify(calls[0]!.body), /stripe:pi_3/);
    assert.deepEqual(sentInputs(mock, '/deals/batch/upsert').at(-1)!.map((x) => x.id), ['stripe:pi_1'], 'only the refused one is upserted');
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1').length, 1);
    assert.equal(mock.records('deals').length, 3);
    assert.equal(mock.associations.size, 3);
  });

  it('a contact id HubSpot no longer has: the create is refused, the deal is upserted and waits for its association', async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    const [r] = await adapter.upsertPayments([payment(1, 1, { customerCrmId: '99999' })]);
    assert.equal(r!.status, 'retry');
    assert.match((r as { error: Error }).error.message, /associating record \d+ with contact 99999/);
    assert.equal(mock.records('deals').length, 1);
    assert.equal(mock.associations.size, 0);
  });

  it('payments as a custom object are upserted and associated, not created (its association types are the account’s own)', async () => {
    const { mock, adapter } = await hubspot({ mock: { uniqueProperties: { '2-123456': ['terminal_crm_payment_key'], contacts: ['terminal_crm_id'] }, properties: { '2-123456': ['payment_amount'] } }, settings: { payments: { object: '2-123456', fields: { name: null, amount: 'payment_amount', currency: null, occurredAt: null, status: null, refunded: null } } } });
    const [c] = (await adapter.upsertCustomers([customer(1)])) as { crmId: string }[];
    const [r] = await adapter.upsertPayments([payment(1, 1, { customerCrmId: c!.crmId })]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.callsTo('/batch/create').length, 0);
    assert.equal(mock.records('2-123456').length, 1);
    assert.equal(mock.callsTo('/associations/2-123456/contacts/batch/associate/default').length, 1);
  });

  it('the associations endpoint refuses more than 1,000 inputs, as HubSpot caps its association batches', async () => {
    const { mock } = await hubspot();
    const axios = (await import('axios')).default;
    const inputs = Array.from({ length: 1001 }, (_, i) => ({ from: { id: String(i) }, to: { id: String(i) } }));
    const res = await axios.post(`${mock.baseUrl}/crm/v4/associations/deals/contacts/batch/associate/default`, { inputs }, { headers: { authorization: `Bearer ${TOKEN}` }, validateStatus: () => true });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.data), /maximum number of inputs supported in a batch is 1000/);
  });

  it('a 502 on the third of several upserts keeps what HubSpot wrote and retries the rest with its reason', async () => {
    const { mock, adapter } = await hubspot();
    const people = Array.from({ length: 300 }, (_, i) => i + 1);
    for (let i = 0; i < people.length; i += 100) await adapter.upsertCustomers(people.slice(i, i + 100).map((n) => customer(n)));
    const links = new Map(mock.records('contacts').map((c) => [c.properties.terminal_crm_id!, c.id]));
    mock.setFaults({ at: { 3: '502' } });

    const results = await adapter.upsertPayments(people.map((n) => payment(n, n, { customerCrmId: links.get(`cus_${n}`)! })));

    assert.deepEqual(results.slice(0, 200).map((r) => r.status), Array(200).fill('synced'));
    assert.deepEqual(results.slice(200).map((r) => r.status), Array(100).fill('retry'));
    assert.match((results[200] as { error: Error }).error.message, /502/);
    assert.equal(mock.records('deals').length, 200);
    assert.equal(mock.associations.size, 200, 'the written deals are associated in the same call');
  });

  it('a 429 on the association keeps the deals written and retries only the association, after HubSpot’s wait', async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    // No contact id at hand: upsert (1), contact lookup (2), association (3).
    mock.setFaults({ at: { 3: '429' } });
    const [r] = await adapter.upsertPayments([payment(1, 1)]);
    assert.equal(r!.status, 'retry');
    assert.ok((r as { error: { retryAfterMs?: number } }).error.retryAfterMs! > 0);
    assert.equal(mock.records('deals').length, 1);
    assert.equal(mock.associations.size, 0);
  });

  it('a failure before anything is written fails the whole call, for the drain to pause or stop', async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    mock.setFaults({ at: { 1: '429' } });
    await assert.rejects(adapter.upsertPayments([payment(1, 1)]), (e) => e instanceof CrmRateLimitError && e.policy === 'wait');
    assert.equal(mock.records('deals').length, 0);
  });

  it('a refund updates the same deal: lower amount, refunded amount, and lost when fully refunded', async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    const [first] = await adapter.upsertPayments([payment(1, 1)]);
    const [partial] = await adapter.upsertPayments([payment(1, 1, { refunded: { minor: 1000, currency: 'USD' }, status: 'partially_refunded' })]);
    let deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    assert.deepEqual([deal.properties.amount, deal.properties.terminal_crm_refunded_amount, deal.properties.dealstage], ['35.99', '10.00', 'closedwon']);
    const [full] = await adapter.upsertPayments([payment(1, 1, { refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' })]);
    deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    assert.deepEqual([deal.properties.amount, deal.properties.dealstage, deal.properties.terminal_crm_payment_status], ['0.00', 'closedlost', 'refunded']);
    assert.equal(mock.records('deals').length, 1);
    assert.deepEqual([partial, full], [first, first]);
    assert.equal(mock.associations.size, 1);
  });

  it('re-sending the same payments changes nothing in HubSpot', async () => {
    const { mock, adapter, clock } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    const batch = [payment(1, 1), payment(2, 1)];
    const first = await adapter.upsertPayments(batch);
    const before = JSON.stringify({ deals: mock.records('deals'), links: [...mock.associations] });
    clock.advance(5_000);
    assert.deepEqual(await adapter.upsertPayments(batch), first);
    assert.equal(JSON.stringify({ deals: mock.records('deals'), links: [...mock.associations] }), before);
  });

  it('a payment whose customer is not in HubSpot yet is written, and retried for the association', async () => {
    const { mock, adapter } = await hubspot();
    const [r] = await adapter.upsertPayments([payment(1, 7)]);
    assert.equal(r!.status, 'retry');
    assert.match((r as { error: Error }).error.message, /cus_7 is not in HubSpot yet/);
    assert.equal(mock.records('deals').length, 1);
    assert.equal(mock.associations.size, 0);

    await adapter.upsertCustomers([customer(7)]);
    const [again] = await adapter.upsertPayments([payment(1, 7)]);
    assert.equal(again!.status, 'synced');
    assert.equal(mock.records('deals').length, 1);
    assert.equal(mock.associations.size, 1);
  });

  it('uses the link table’s contact id when the outbox has it, without a lookup', async () => {
    const { mock, adapter } = await hubspot();
    const [c] = await adapter.upsertCustomers([customer(1)]);
    await adapter.upsertPayments([payment(1, 1, { customerCrmId: (c as { crmId: string }).crmId })]);
    assert.equal(mock.callsTo('/contacts/batch/read').length, 0);
    assert.equal(mock.associations.size, 1);
  });

  it('a stage HubSpot does not know rejects that payment only, with HubSpot’s reason', async () => {
    const { mock, adapter } = await hubspot({ settings: { payments: { stages: { pending: 'awaiting_capture' } } } });
    await adapter.upsertCustomers([customer(1)]);
    const results = await adapter.upsertPayments([payment(1, 1), payment(2, 1, { status: 'pending' })]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'rejected']);
    assert.equal((results[1] as { field?: string }).field, 'dealstage');
    assert.match((results[1] as { reason: string }).reason, /awaiting_capture was not one of the allowed options/);
    assert.equal(mock.records('deals').length, 1);
  });

  it('a currency the account does not have rejects that payment only with HubSpot’s reason; JPY, KWD and a refunded USD amount go exact', async () => {
    const { mock, adapter } = await hubspot({ mock: { currencies: ['USD', 'JPY', 'KWD'] } });
    const [c1] = await adapter.upsertCustomers([customer(1)]);
    const contactId = c1!.status === 'synced' ? c1!.crmId : '';
    const money = (minor: number, currency: string, refunded = 0) => ({ amount: { minor, currency }, refunded: { minor: refunded, currency } });
    const batch = [
      payment(1, 1, money(1200, 'JPY')),
      payment(2, 1, money(1255, 'KWD', 5)),
      payment(3, 1, { ...money(1000, 'USD', 970), status: 'partially_refunded' }),
      payment(4, 1, money(4599, 'BRL')),
    ];
    // Both ways a deal is written: created with its association, and upserted then associated.
    for (const withContact of [true, false]) {
      const results = await adapter.upsertPayments(batch.map((p) => ({ ...p, externalId: `${p.externalId}${withContact ? 'a' : 'b'}`, ...(withContact ? { customerCrmId: contactId } : {}) })));
      assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'synced', 'rejected']);
      assert.equal((results[3] as { field?: string }).field, 'deal_currency_code');
      assert.match((results[3] as { reason: string }).reason, /"BRL" is not a part of the current effective currency codes/);
      const deal = (n: number) => mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:pi_${n}${withContact ? 'a' : 'b'}`)[0]?.properties;
      assert.deepEqual([1, 2, 3].map((n) => [deal(n)!.amount, deal(n)!.deal_currency_code, deal(n)!.terminal_crm_refunded_amount]), [
        ['1200', 'JPY', '0'], ['1.250', 'KWD', '0.005'], ['0.30', 'USD', '9.70'],
      ]);
      assert.equal(deal(4), undefined);
    }
  });

  it('amounts are decimal text from integer minor units, for 0-, 2- and 3-digit currencies', () => {
    assert.equal(minorToDecimal({ minor: 5, currency: 'USD' }), '0.05');
    assert.equal(minorToDecimal({ minor: 1200, currency: 'JPY' }), '1200');
    assert.equal(minorToDecimal({ minor: 1250, currency: 'KWD' }), '1.250');
  });

  it('with faults injected (429, 502, lost answers), retrying until done leaves each payment exactly once', { timeout: 20_000 }, async () => {
    const { mock, adapter, clock } = await hubspot({ settings: { timeoutMs: 150 } });
    await adapter.upsertCustomers(Array.from({ length: 4 }, (_, i) => customer(i + 1)));
    mock.setFaults({ rate429: 0.2, serverError: 0.2, delay: 0.15, delayMs: 300, seed: 7 });
    let pending: CrmPayment[] = Array.from({ length: 12 }, (_, i) => payment(i + 1, (i % 4) + 1));
    for (let round = 0; pending.length > 0 && round < 40; round++) {
      clock.advance(2_000);
      const results = await adapter.upsertPayments(pending).catch(() => pending.map((p) => ({ externalId: p.externalId, status: 'retry' }) as const));
      pending = pending.filter((p) => results.find((r) => r.externalId === p.externalId)?.status !== 'synced');
    }
    assert.equal(pending.length, 0);
    assert.equal(mock.records('deals').length, 12);
    for (let i = 1; i <= 12; i++) assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:pi_${i}`).length, 1);
    assert.equal(mock.associations.size, 12);
    assert.ok(mock.calls.some((c) => c.status === 429) && mock.calls.some((c) => c.status === 502), 'faults were injected');
  });
});

describe('HubSpot adapter: OAuth tokens', () => {
  const oauth = { clientId: 'client-1', clientSecret: 'secret-1', refreshToken: 'refresh-1' };

  it('fetches the token once for many calls, and after a 401 refreshes once and succeeds', async () => {
    const clock = fakeClock();
    const mock = await HubSpotMock.start({ oauth, now: clock.now });
    const settings = parseHubSpotSettings({ auth: { type: 'oauth2', ...oauth } });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings });

    await adapter.upsertCustomers([customer(1)]);
    await adapter.upsertCustomers([customer(2)]);
    await adapter.updateFields([{ customerExternalId: 'cus_1', fields: { loyalty_tier: 'Gold' } }]);
    assert.equal(mock.tokenRequests, 1);
    assert.ok(mock.calls.filter((c) => c.path.startsWith('/crm/')).every((c) => c.authorization === 'Bearer hs-oauth-1'));
    // The date-versioned OAuth API: /oauth/v1/token goes on 16 February 2027.
    assert.deepEqual(mock.calls.filter((c) => c.path.startsWith('/oauth/')).map((c) => [c.method, c.path]), [['POST', '/oauth/2026-03/token']]);

    mock.expireToken('hs-oauth-1');
    const [r] = await adapter.upsertCustomers([customer(3)]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.tokenRequests, 2);
    const last = mock.calls.filter((c) => c.path.startsWith('/crm/')).slice(-2);
    assert.deepEqual(last.map((c) => [c.status, c.authorization]), [[401, 'Bearer hs-oauth-1'], [200, 'Bearer hs-oauth-2']]);
    assert.equal(mock.records('contacts').length, 3);
  });

  it('renews before expiry on its own clock (HubSpot tokens live 30 minutes)', async () => {
    const clock = fakeClock();
    const mock = await HubSpotMock.start({ oauth, now: clock.now });
    const settings = parseHubSpotSettings({ auth: { type: 'oauth2', ...oauth } });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings });
    await adapter.upsertCustomers([customer(1)]);
    clock.advance(29 * 60_000 + 30_000);
    await adapter.upsertCustomers([customer(2)]);
    assert.equal(mock.tokenRequests, 2);
    assert.ok(mock.calls.every((c) => c.status !== 401), 'no call went out with a dying token');
  });

  it('a token endpoint that is down is transient: the next call gets a token and nothing asks to reconnect', async () => {
    const clock = fakeClock();
    // Two outages: the first meets the reading of the account's details, which is left for later (the batch goes on
    // without it), the second the batch.
    const mock = await HubSpotMock.start({ oauth, now: clock.now, faults: { tokenOutages: 2 } });
    const settings = parseHubSpotSettings({ auth: { type: 'oauth2', ...oauth } });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmTransientError && !/reconnect/.test(e.message) && /503|Service Unavailable/.test(e.message));
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.tokenRequests, 3);
  });

  it('a refused refresh token is an auth error that says how to reconnect', async () => {
    const clock = fakeClock();
    const mock = await HubSpotMock.start({ oauth, now: clock.now });
    const settings = parseHubSpotSettings({ auth: { type: 'oauth2', ...oauth, refreshToken: 'refresh-revoked' } });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmAuthError && /HUBSPOT_REFRESH_TOKEN/.test(e.message));
    // One for the account's details (the batch goes on without them), one for the batch: each refused.
    assert.equal(mock.tokenRequests, 2);
    assert.equal(mock.callsTo('/crm/').length, 0, 'nothing went to the CRM without a token');
  });

  it('a revoked private app token is an auth error for an operator, with HubSpot’s message', async () => {
    const clock = fakeClock();
    const mock = await HubSpotMock.start({ privateAppToken: 'pat-na1-other', now: clock.now });
    const settings = parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: 'pat-na1-revoked' } });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmAuthError && /Authentication credentials not found/.test(e.message));
    // The account's details, then the batch: each refused once, a static token is not retried.
    assert.deepEqual(mock.calls.map((c) => [c.method, c.status]), [['GET', 401], ['POST', 401]]);
  });
});
