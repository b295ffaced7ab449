import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { z } from 'zod/v4';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { CursorStore } from '../../../nodes/core/cursors/cursor-store';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { pollSource, pollableSourceNames, previewPoll, type PollableSource } from '../../../nodes/core/pipeline/poll-source';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createSource } from '../../../nodes/core/sources/registry';
import type { ListPage, ListResult } from '../../../nodes/core/sources/source';
import { normalizeStripeEvent, STRIPE_HANDLED_EVENT_TYPES } from '../../../nodes/core/sources/stripe-terminal';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { crashingAtCommit } from '../../support/crashing-store';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { stripeRequest } from '../../support/stripe-delivery';
import { tempStore, testKeys, TEST_WEBHOOK_SECRET } from '../../support/temp-store';

const T0 = Math.floor(Date.parse('2026-11-20T00:00:00Z') / 1000);
const sale = (n: number) => stripeEvent('charge.succeeded', chargeObject({ amount: n * 100, created: T0 + n * 60, card: { fingerprint: `fp_secret_${n}` } }), { id: `evt_1Poll${n}AAAAAAAAAAAAAAAAAA`, created: T0 + n * 60 });
const paymentEvent = (n: number): PaymentEvent => normalizeStripeEvent(sale(n));

/**
 * A processor with three pages behind cursors null → c1 → c2 → c3, recording each page it is asked for. `gate`
 * holds a listing until the test lets it go.
 */
function pagedSource(pages: Record<string, ListResult>, gate?: { cursor: string | null; wait: Promise<void> }) {
  const asked: Array<string | null> = [];
  const source: PollableSource = {
    name: 'stripe',
    label: 'Paged test processor',
    handledEventTypes: [],
    credentials: z.object({}),
    env: {},
    verify: () => Promise.reject(new Error('not a webhook source')),
    normalize: () => Promise.resolve([]),
    async list(_c: unknown, page: ListPage) {
      asked.push(page.cursor);
      if (gate && gate.cursor === page.cursor) await gate.wait;
      const result = pages[String(page.cursor)];
      if (!result) throw new Error(`no page behind ${page.cursor}`);
      return result;
    },
  };
  return { source, asked };
}

const THREE_PAGES: Record<string, ListResult> = {
  null: { events: [paymentEvent(1), paymentEvent(2)], cursor: 'c1', more: true },
  c1: { events: [paymentEvent(3), paymentEvent(4)], cursor: 'c2', more: true },
  c2: { events: [paymentEvent(5)], cursor: 'c3', more: false },
  c3: { events: [], cursor: null, more: false },
};
const ids = (events: PaymentEvent[]) => events.map((e) => e.id.replace(/^stripe:evt_1Poll(\d)A+$/, 'e$1'));

async function inboxIds(db: SqlDatabase): Promise<string[]> {
  return ids((await db.all<{ event_id: string }>('SELECT event_id FROM inbox_events ORDER BY event_id')).map((r) => ({ id: r.event_id }) as PaymentEvent));
}

function pollingSuite(dialect: 'sqlite' | 'postgres', openStore: () => Promise<{ db: SqlDatabase; remove(): Promise<void> }>) {
  describe(`polling a source into the inbox (${dialect})`, () => {
    let store: { db: SqlDatabase; remove(): Promise<void> };
    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(() => store.remove());

    it('resumes after a crash between pages: the page in flight is read again, none is skipped or kept twice', async () => {
      const { source, asked } = pagedSource(THREE_PAGES);
      const crashing = crashingAtCommit(store.db, 2, 'power cut before commit');
      await assert.rejects(pollSource({ source, credentials: {}, store: crashing, keys: testKeys() }), /power cut/);
      // The first page is kept with its cursor; the second page's inbox rows went with its cursor move.
      assert.equal(await new CursorStore(store.db).get('poll:stripe'), 'c1');
      assert.deepEqual(await inboxIds(store.db), ['e1', 'e2']);

      const after = await pollSource({ source, credentials: {}, store: store.db, keys: testKeys() });
      assert.deepEqual(ids(after.events), ['e3', 'e4', 'e5']);
      assert.deepEqual([after.pages, after.cursor, after.more, after.duplicates], [2, 'c3', false, []]);
      assert.deepEqual(asked, [null, 'c1', 'c1', 'c2'], 'only the page in flight was read twice');
      assert.deepEqual(await inboxIds(store.db), ['e1', 'e2', 'e3', 'e4', 'e5']);

      // Nothing new: the stored cursor stays where it is even though the source hands back none.
      const idle = await pollSource({ source, credentials: {}, store: store.db });
      assert.deepEqual([idle.events, idle.pages, idle.cursor], [[], 1, 'c3']);
      assert.equal(await new CursorStore(store.db).get('poll:stripe'), 'c3');
    });

    it('hands over before each commit what the store has not recorded: a payment recorded (by a webhook) is not handed over again', async () => {
      const inbox = new SqlInbox(store.db);
      await inbox.accept([paymentEvent(2), paymentEvent(3)], new Date());
      await inbox.markDone([paymentEvent(2).id]);
      const handed: string[][] = [];
      const { source } = pagedSource(THREE_PAGES);
      const out = await pollSource({
        source, credentials: {}, store: store.db,
        handOff: async (events) => {
          handed.push(ids(events));
          // Before the page's commit: its events are not in the inbox yet (but for the two the webhook brought).
          assert.deepEqual((await inboxIds(store.db)).filter((id) => ids(events).includes(id)), ids(events).filter((id) => id === 'e3'));
        },
      });
      // e3 came by webhook and is not recorded yet: it is handed over (its workflow may never have started).
      assert.deepEqual(handed, [['e1'], ['e3', 'e4'], ['e5']]);
      assert.deepEqual([ids(out.events), out.duplicates.map((id) => ids([{ id } as PaymentEvent])[0])], [['e1', 'e4', 'e5'], ['e2', 'e3']]);
    });

    it('moves the cursor only forward: a poller that read from an old position keeps nothing and stops', async () => {
      let release!: () => void;
      const wait = new Promise<void>((resolve) => (release = resolve));
      const slow = pagedSource(THREE_PAGES, { cursor: null, wait });
      const fast = pagedSource(THREE_PAGES);
      const a = pollSource({ source: slow.source, credentials: {}, store: store.db });
      // A is reading the first page; B polls everything meanwhile.
      while (slow.asked.length === 0) await new Promise((r) => setTimeout(r, 5));
      const b = await pollSource({ source: fast.source, credentials: {}, store: store.db });
      assert.deepEqual([ids(b.events), b.cursor], [['e1', 'e2', 'e3', 'e4', 'e5'], 'c3']);
      release();
      const late = await a;
      assert.deepEqual([late.raced, late.events, late.pages], [true, [], 0]);
      assert.equal(await new CursorStore(store.db).get('poll:stripe'), 'c3', 'not put back to c1');
      assert.deepEqual(await inboxIds(store.db), ['e1', 'e2', 'e3', 'e4', 'e5']);
    });
  });
}

pollingSuite('sqlite', () => tempStore());

let pg: PostgresServer | undefined;
pollingSuite('postgres', async () => {
  pg ??= await startPostgresServer();
  const db = await openDatabase(await pg.createDatabase('poll'));
  return { db, remove: () => db.close() };
});
after(async () => {
  await pg?.stop();
});

describe('polling: pages, limits and what is passed on', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(() => s.remove());

  it('stops at its page limit or deadline and carries on next time; a later failing page keeps the earlier ones', async () => {
    const { source } = pagedSource(THREE_PAGES);
    const first = await pollSource({ source, credentials: {}, store: s.db, maxPages: 1 });
    assert.deepEqual([ids(first.events), first.more, first.cursor], [['e1', 'e2'], true, 'c1']);
    const past = await pollSource({ source, credentials: {}, store: s.db, deadline: new Date(0) });
    assert.deepEqual([ids(past.events), past.pages, past.more], [['e3', 'e4'], 1, true]);

    const failing = pagedSource({ c1: { events: [paymentEvent(6)], cursor: 'c2', more: true } });
    await new CursorStore(s.db).set('poll:other', 'c1');
    const broken = await pollSource({ source: failing.source, credentials: {}, store: s.db, cursorName: 'poll:other' });
    assert.deepEqual([ids(broken.events), broken.pages, broken.cursor, broken.more], [['e6'], 1, 'c2', true]);
    assert.match(String(broken.failure), /no page behind c2/);
    // A failure on the first page has nothing to pass on: it is thrown.
    await assert.rejects(pollSource({ source: failing.source, credentials: {}, store: s.db, cursorName: 'poll:other' }), /no page behind c2/);
  });

  it('offers only sources with a list API, and names them when another is asked for', async () => {
    assert.deepEqual(pollableSourceNames().sort(), ['clover', 'square', 'stripe', 'sumup', 'zettle']);
    await assert.rejects(
      pollSource({ source: createSource('adyen'), credentials: {}, store: s.db }),
      (e) => e instanceof InputError && e.field === 'source' && /poll one of: stripe, square, zettle, clover, sumup$/.test(e.message),
    );
  });

  it('a poll and a preview hand the source the store\'s ledger (SourceContext.ledger): the sales it holds, by payment id', async () => {
    const recorded = paymentEvent(1);
    await recordPaymentEvents(s.db, [recorded]);
    const told: Array<[string, number, string] | 'none'> = [];
    const { source } = pagedSource(THREE_PAGES);
    const list = source.list!.bind(source);
    source.list = async (c, page, ctx) => {
      const sales = await ctx.ledger?.sales([recorded.paymentId, 'pi_never']);
      told.push(...(sales ? [...sales].map(([id, m]) => [id, m.minor, m.currency] as [string, number, string]) : ['none' as const]));
      return list(c, page, ctx);
    };
    await pollSource({ source, credentials: {}, store: s.db, maxPages: 1 });
    await previewPoll({ source, credentials: {}, store: s.db });
    assert.deepEqual(told, [[recorded.paymentId, 100, 'USD'], [recorded.paymentId, 100, 'USD']]);
  });

  it('a preview reads one page from the stored cursor and keeps nothing', async () => {
    const { source } = pagedSource(THREE_PAGES);
    assert.deepEqual(ids(await previewPoll({ source, credentials: {}, store: s.db })), ['e1', 'e2']);
    assert.equal(await new CursorStore(s.db).get('poll:stripe'), null);
    assert.deepEqual(await inboxIds(s.db), []);
  });
});

describe('polling Stripe beside its webhook', () => {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    nock = (await import('nock')).default;
  });
  beforeEach(async () => {
    nock.disableNetConnect();
    s = await tempStore();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  it('keeps a payment that came both ways once, whichever came first', async () => {
    const inbox = new SqlInbox(s.db, testKeys());
    const webhook = (n: number) => receiveWebhook('stripe', stripeRequest(signedDelivery(sale(n), TEST_WEBHOOK_SECRET)), { credentials: { signingSecret: TEST_WEBHOOK_SECRET }, inbox });
    const first = await webhook(2);
    assert.deepEqual(ids(first.events), ['e2']);

    const types = Object.fromEntries(STRIPE_HANDLED_EVENT_TYPES.map((t, i) => [`types[${i}]`, t]));
    const scope = nock('https://api.stripe.com')
      .matchHeader('authorization', 'Bearer sk_test_poll')
      .get('/v1/events').query({ ...types, limit: '100', 'created[gte]': String(T0) })
      .reply(200, { object: 'list', url: '/v1/events', has_more: false, data: [sale(3), sale(2), sale(1)] });
    const polled = await pollSource({
      source: createSource('stripe'),
      credentials: { secretKey: 'sk_test_poll' },
      store: s.db,
      keys: testKeys(),
      since: new Date(T0 * 1000),
      http: axiosTransport(),
    });
    assert.ok(scope.isDone());
    assert.deepEqual([ids(polled.events), ids(polled.duplicates.map((id) => ({ id }) as PaymentEvent)), polled.cursor], [['e1', 'e3'], ['e2'], sale(3).id]);

    // The webhook of a payment polled first is answered 200 and passed on to nobody.
    const late = await webhook(3);
    assert.deepEqual([late.status, late.events, ids(late.report.duplicates.map((id) => ({ id }) as PaymentEvent))], [200, [], ['e3']]);
    assert.deepEqual(await inboxIds(s.db), ['e1', 'e2', 'e3']);
    // What the inbox keeps from polling is tokenized, as from the webhook: no processor fingerprint in the store.
    const kept = await s.db.all<{ payload: string }>('SELECT payload FROM inbox_events');
    assert.ok(kept.every((r) => !r.payload.includes('fp_secret_') && r.payload.includes('ctok_k1_')), kept.map((r) => r.payload).join('\n'));
  });
});

describe('what a poll says of a listing holds no card number', { timeout: 30_000 }, () => {
  const card = '4012888888881881';

  it('the notes of its pages and the failure it stopped at: scrubbed, as the events are', async () => {
    const s = await tempStore();
    try {
      // As SumUp's notes quote a listed item's type and code, and an API error quotes what the processor answered.
      const { source } = pagedSource({
        null: { events: [paymentEvent(1)], cursor: 'c1', more: true, notes: [`the history lists PAYMENT card ${card} naming no transaction: it is not counted`] },
      });
      const listed = source.list!.bind(source);
      source.list = async (c, page, ctx) => (page.cursor === 'c1' ? Promise.reject(new Error(`the processor answered 502: card ${card} is not a transaction`)) : listed(c, page, ctx));
      const out = await pollSource({ source, credentials: {}, store: s.db, keys: testKeys() });
      assert.deepEqual([ids(out.events), out.pages], [['e1'], 1]);
      assert.deepEqual(out.notes, ['the history lists PAYMENT card [redacted card number] naming no transaction: it is not counted']);
      assert.equal(out.failure?.message, 'the processor answered 502: card [redacted card number] is not a transaction');
      assert.ok(!out.failure?.stack?.includes(card), out.failure?.stack);
    } finally {
      await s.remove();
    }
  });
});
