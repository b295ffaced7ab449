import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { parseResolveArgs, runReview } from '../../bin/commands/review';
import type { ReviewClient } from '../../temporal/review-client';
import type { ReviewResolution } from '../../nodes/core/match/review-resolution';
import type { PendingReview } from '../../workflows/review';

const waiting = (eventId: string): PendingReview => ({ eventId, candidateId: 'cus_jon', confidence: 0.69, explanation: 'Probably cus_jon (69%), needs a person to confirm', waitsUntil: '2026-01-04T10:00:00.000Z' });

/** Temporal as the command sees it: running workflows, their answers to pendingReview, and the signals sent. */
function fakeClient(workflows: Record<string, PendingReview | null | Error>) {
  const signals: [string, ReviewResolution][] = [];
  let opened = 0;
  let closed = 0;
  const client: ReviewClient = {
    async *runningPaymentWorkflows() {
      yield* Object.keys(workflows);
    },
    pendingReview: async (id) => {
      const answer = workflows[id];
      if (answer === undefined) throw new Error(`workflow not found: ${id}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    resolveReview: async (id, resolution) => void signals.push([id, resolution]),
    close: async () => void closed++,
  };
  return { open: async () => (opened++, client), signals, counts: () => ({ opened, closed }) };
}

async function run(args: string[], open: () => Promise<ReviewClient>) {
  let out = '';
  let err = '';
  const code = await runReview(args, { out: (t) => void (out += t), err: (t) => void (err += t) }, open);
  return { code, out, err };
}

describe('terminal-crm review', () => {
  it('list prints one JSON line per waiting payment, skipping the others and reporting the ones that cannot answer', async () => {
    const fake = fakeClient({ 'payment-evt_1': waiting('evt_1'), 'payment-evt_2': null, 'payment-evt_3': new Error('no worker'), 'payment-evt_4': waiting('evt_4') });
    const { code, out, err } = await run(['list'], fake.open);
    assert.equal(code, 0);
    assert.deepEqual(out.trim().split('\n').map((l) => JSON.parse(l) as PendingReview), [waiting('evt_1'), waiting('evt_4')]);
    assert.equal(err, 'payment-evt_3: no answer (no worker)\n');
    assert.deepEqual(fake.counts(), { opened: 1, closed: 1 });
    const none = await run(['list'], fakeClient({ 'payment-evt_2': null }).open);
    assert.deepEqual([none.out, none.err], ['', 'No payments are waiting for review.\n']);
  });

  it('resolve sends resolveReview to payment-<eventId>: --link (the candidate), --link <customerId>, --link=<id>, --new', async () => {
    const fake = fakeClient({ 'payment-evt_1': waiting('evt_1') });
    const outs = [];
    for (const args of [['evt_1', '--link'], ['evt_1', '--link', 'cus_9'], ['--link=cus_8', 'evt_1'], ['--new', 'payment-evt_1']]) outs.push((await run(['resolve', ...args], fake.open)).out);
    assert.deepEqual(fake.signals, [
      ['payment-evt_1', { action: 'link' }],
      ['payment-evt_1', { action: 'link', customerId: 'cus_9' }],
      ['payment-evt_1', { action: 'link', customerId: 'cus_8' }],
      ['payment-evt_1', { action: 'new' }],
    ]);
    assert.deepEqual(outs, [
      'evt_1: sent — it will be recorded under cus_jon (the candidate)\n',
      'evt_1: sent — it will be recorded under cus_9\n',
      'evt_1: sent — it will be recorded under cus_8\n',
      'evt_1: sent — it will be recorded under a new customer\n',
    ]);
  });

  it('resolve finds a payment saga (its id names the payment, not the event) by asking the running payment workflows', async () => {
    const fake = fakeClient({ 'payment-evt_1': waiting('evt_1'), 'payment-stripe:pi_7': waiting('stripe:evt_7'), 'payment-stripe:pi_8': new Error('no worker') });
    const { out } = await run(['resolve', 'stripe:evt_7', '--link'], fake.open);
    assert.equal(out, 'stripe:evt_7: sent — it will be recorded under cus_jon (the candidate)\n');
    // A pasted saga id is the run itself.
    const pasted = await run(['resolve', 'payment-stripe:pi_7', '--new'], fake.open);
    assert.equal(pasted.out, 'stripe:evt_7: sent — it will be recorded under a new customer\n');
    assert.deepEqual(fake.signals, [['payment-stripe:pi_7', { action: 'link' }], ['payment-stripe:pi_7', { action: 'new' }]]);
  });

  it('resolve refuses a payment that is not waiting or cannot be reached, sending nothing', async () => {
    const fake = fakeClient({ 'payment-evt_done': null, 'payment-stripe:pi_9': waiting('stripe:evt_9') });
    await assert.rejects(run(['resolve', 'evt_done', '--new'], fake.open), { message: /^evt_done: not waiting for a review .*Fix: `terminal-crm review list`/ });
    await assert.rejects(run(['resolve', 'evt_nope', '--new'], fake.open), { message: /^evt_nope: cannot reach its workflow payment-evt_nope \(workflow not found: payment-evt_nope\), and no running payment saga waits on it\. Fix: / });
    assert.deepEqual(fake.signals, []);
    assert.deepEqual(fake.counts(), { opened: 2, closed: 2 });
  });

  it('checks its arguments before connecting', async () => {
    const fake = fakeClient({});
    const cases: [string[], RegExp][] = [
      [[], /^review: needs list or resolve\. Fix: /],
      [['approve'], /^review: "approve" is neither list nor resolve/],
      [['list', 'x'], /^review list: takes no arguments, got x/],
      [['resolve', 'evt_1'], /^--link\/--new: missing\. Fix: say whose the payment is/],
      [['resolve', '--new'], /^<eventId>: missing\. Fix: /],
      [['resolve', 'evt_1', 'evt_2', '--new'], /^<eventId>: expected one event id, got evt_1 evt_2/],
      [['resolve', 'evt_1', '--link', '--new'], /^--link\/--new: both given, or one given twice/],
      [['resolve', 'evt_1', '--link='], /^--link\.customerId: "" is not a customer id to link to/],
      [['resolve', 'evt_1', '--merge'], /^--merge: is not an option of review resolve/],
    ];
    for (const [args, message] of cases) await assert.rejects(run(args, fake.open), { name: 'InputError', message }, args.join(' '));
    assert.deepEqual(fake.counts(), { opened: 0, closed: 0 });
    assert.deepEqual(parseResolveArgs(['evt_1', '--link', 'cus_2']), { eventId: 'evt_1', resolution: { action: 'link', customerId: 'cus_2' } });
  });

  it('is listed in terminal-crm --help and prints its usage', async () => {
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => {} };
    assert.equal(await runCli(['--help'], COMMANDS, io), 0);
    assert.match(out, /\n {2}review {2,}list payments waiting for a person/);
    out = '';
    assert.equal(await runCli(['review', '--help'], COMMANDS, io), 0);
    assert.match(out, /^Usage: terminal-crm review list\n/);
  });
});
