import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { ENDPOINT_ENGINES, readEndpoints } from '../../../sandbox/run/endpoints';
import { assertPortFree, freePort } from '../../../sandbox/run/shared/free-port';
import { SANDBOX_SOURCES, type SourceCredentials } from '../../../sandbox/simulator/sandbox-sources';
import { GiveUp, waitUntil } from '../../../sandbox/run/shared/wait-until';
import { ENGINES } from '../../../sandbox/run/start-sandbox';
import { transactionsPerTill } from '../../../sandbox/run/store-counts';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { paymentCase } from '../../e2e/source-cases';
import { tempDir } from '../../support/temp-store';
import { commandOf, descendantsOf, isRunning } from './process-tree';

// The compiled CLI, as `npm start` runs it (here from build/, whose sandbox code packs the repo's dist/).
const CLI = join(__dirname, '..', '..', '..', 'bin', 'terminal-crm.js');

/**
 * `terminal-crm sandbox` for real: the three engines on free ports in a temp state folder, the simulator posting
 * every source's events every second; endpoints.json must list every source on every engine, the store must get
 * transactions through every engine (the simulator's, and a Square payment signed with the key the environment
 * set), every message template must run in n8n and in Node-RED — a thank-you, a high-value alert (mail and
 * Slack), a loyalty welcome, a failed-payment alert (mail and Slack) and a refund note from each engine in the
 * sandbox's mail catcher — and Ctrl-C (SIGINT) must leave no process.
 */

const STRIPE_SECRET = 'whsec_sandbox_e2e_0123456789abcdef';

interface Mail { from: string; to: string[]; subject: string; text: string }
interface Post { channel: string; text: string }

/**
 * What one engine's copy of the templates is sent: a first sale over $500, three declines at one reader, a refund.
 * The two engines' customers share nothing (name, email, card), so the store never takes them for one person.
 */
function templateDay(engine: 'n8n' | 'node-red') {
  const t = engine === 'n8n' ? 'n8n' : 'nodered';
  const person = engine === 'n8n'
    ? { name: 'Hana Sato', card: { brand: 'mastercard' as const, last4: '5454', iin: '545454' } }
    : { name: 'Ines Moreau', card: { brand: 'visa' as const, last4: '1881', iin: '401288' } };
  const who = { name: person.name, email: `${person.name.split(' ')[0]!.toLowerCase()}.${t}@example.com` };
  const reader = `tmr_e2e_patio_${t}`;
  const spec = {
    amount: 64_000, currency: 'usd', ...who, paymentIntentId: `pi_e2e_${t}_${Date.now().toString(36)}`, chargeId: `ch_e2e_${t}_${Date.now().toString(36)}`,
    card: { ...person.card, fingerprint: `fp_e2e_${t}` }, metadata: { reader_id: `tmr_e2e_counter_${t}`, location_id: 'tml_e2e' },
  };
  const declines = ['generic_decline', 'do_not_honor', 'insufficient_funds'].map((declineCode, i) =>
    stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 900 + i, currency: 'usd', name: `Guest ${i} ${t}`, card: { fingerprint: `fp_e2e_guest_${i}_${t}` }, metadata: { reader_id: reader, location_id: 'tml_e2e' }, failed: { code: 'card_declined', declineCode, message: 'Your card was declined.' } })),
  );
  return { who, reader, sale: stripeEvent('charge.succeeded', chargeObject(spec)), declines, refund: stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded: 10_000 })) };
}

describe('terminal-crm sandbox', { timeout: 600_000 }, () => {
  const work = tempDir('tcrm-sandbox-');
  let child: ChildProcess | undefined;
  let seen: number[] = [];

  after(async () => {
    // Only on failure is anything left: stop it hard, so no engine outlives the test.
    for (const pid of [...seen, ...(child?.pid ? [child.pid] : [])].filter(isRunning)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await closeAllDatabases();
    work.remove();
  });

  it('runs the engines, records the simulated events through each, and stops everything on Ctrl-C', async () => {
    const squareKey = `sandbox-e2e-${Date.now()}`;
    const ports = {
      TERMINAL_CRM_TEMPORAL_PORT: await freePort(),
      TERMINAL_CRM_TEMPORAL_UI_PORT: await freePort(),
      TERMINAL_CRM_WEBHOOK_PORT: await freePort(),
      TERMINAL_CRM_NODE_RED_PORT: await freePort(),
      TERMINAL_CRM_N8N_PORT: await freePort(),
      TERMINAL_CRM_MAIL_SMTP_PORT: await freePort(),
      TERMINAL_CRM_MAIL_PORT: await freePort(),
    };
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TERMINAL_CRM_|STRIPE_|TEMPORAL_|SQUARE_|ADYEN_|ZETTLE_|CLOVER_|SUMUP_)/.test(k)));
    const env = {
      ...inherited,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      TERMINAL_CRM_SANDBOX_DIR: work.path,
      // One delivery a second to each engine: a round of every source in 8 s, within what n8n keeps up with on a
      // busy 2-CPU machine (it answers at once and runs the workflow after; at 3 a second its backlog grows).
      TERMINAL_CRM_SIMULATOR_INTERVAL_MS: '1000',
      // Named after the source: the engines must check Square's signature with this key, not a generated one.
      SQUARE_WEBHOOK_SIGNATURE_KEY: squareKey,
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    };
    let out = '';
    let err = '';
    child = spawn(process.execPath, [CLI, 'sandbox'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    const startedAt = Date.now();
    const output = () => `\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err.slice(-5000)}`;

    // Installing the packed pack into n8n and Node-RED is most of it on a first start.
    await waitUntil('the sandbox to print its ready block', 300_000, async () => {
      if (child!.exitCode !== null) throw new GiveUp(`the sandbox exited with ${child!.exitCode}${output()}`);
      return out.includes('Terminal CRM sandbox is running') ? true : undefined;
    });
    const readyMs = Date.now() - startedAt;
    seen = descendantsOf(child.pid!);
    const commands = seen.map(commandOf).join('\n');
    // Node-RED renames its process to "node-red".
    for (const part of ['start-dev', 'node-red', 'n8n start', 'worker --webhook-port']) assert.match(commands, new RegExp(part.replace(/[-.]/g, '\\$&')), `no ${part} process under the sandbox:\n${commands}`);

    // Every source on every engine, each URL on the engine's own port.
    const endpoints = readEndpoints(work.path);
    const portOf = { n8n: ports.TERMINAL_CRM_N8N_PORT, 'node-red': ports.TERMINAL_CRM_NODE_RED_PORT, temporal: ports.TERMINAL_CRM_WEBHOOK_PORT };
    assert.deepEqual(Object.keys(endpoints), [...ENDPOINT_ENGINES]);
    for (const engine of ENDPOINT_ENGINES) {
      assert.deepEqual(Object.keys(endpoints[engine]), [...SANDBOX_SOURCES], engine);
      for (const url of Object.values(endpoints[engine])) assert.equal(new URL(url).origin, `http://127.0.0.1:${portOf[engine]}`, url);
    }
    assert.equal(new Set(ENDPOINT_ENGINES.flatMap((e) => Object.values(endpoints[e]))).size, ENDPOINT_ENGINES.length * SANDBOX_SOURCES.length);

    const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
    const tills = ENGINES.map((e) => e.till);
    const counts = await waitUntil('a Stripe transaction through each engine', 60_000, async () => {
      const c = await transactionsPerTill(storeUrl, tills);
      return tills.every((t) => c[t]! >= 1) ? c : undefined;
    }, 250).catch((e: Error) => assert.fail(`${e.message}${output()}`));

    // Stripe's simulated payments reach n8n and Node-RED through the thank-you template: its mail arrives at the
    // catcher the ready block names, on the port the environment gave.
    const mailUrl = /JSON: (http:\/\/127\.0\.0\.1:(\d+)\/mail)[,)]/.exec(out);
    assert.ok(mailUrl, `no mail listing in the ready block${output()}`);
    assert.equal(Number(mailUrl[2]), ports.TERMINAL_CRM_MAIL_PORT);
    assert.match(out, new RegExp(`SMTP 127\\.0\\.0\\.1:${ports.TERMINAL_CRM_MAIL_SMTP_PORT}`));
    const mailAt = Date.now();
    const thanks = await waitUntil('thank-you mail from n8n and Node-RED in the mail catcher', 90_000, async () => {
      const list = (await (await fetch(mailUrl[1]!, { signal: AbortSignal.timeout(5000) })).json()) as Array<{ to: string[]; subject: string; text: string }>;
      const got = list.filter((m) => /^Thank you for your visit to /.test(m.subject));
      return got.length >= 2 ? got : undefined;
    }, 500).catch((e: Error) => assert.fail(`${e.message}${output()}`));
    for (const m of thanks) assert.match(m.to.join(','), /@example\.(com|org)$/i);

    // Every message template runs in n8n and in Node-RED, each on its own trigger (the ready block lists them): a
    // day sent to each engine's templates ends as each kind of mail, from that engine's sender, and Slack posts.
    const templateUrls = [...out.matchAll(/^ {2}([a-z-]+) +n8n (\S+) +Node-RED (\S+)$/gm)].map((m) => ({ name: m[1]!, n8n: m[2]!, 'node-red': m[3]! }));
    assert.deepEqual(templateUrls.map((t) => t.name), ['thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync'], output());
    const slackUrl = /Slack receiver \((http:\/\/127\.0\.0\.1:\d+\/slack)\/<template>\)/.exec(out)?.[1];
    assert.ok(slackUrl, `no Slack receiver in the ready block${output()}`);
    const templatesAt = Date.now();
    const post = async (engine: 'n8n' | 'node-red', event: object) => {
      const d = signedDelivery(event, STRIPE_SECRET);
      for (const t of templateUrls) {
        const res = await fetch(t[engine], { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
        assert.equal(res.status, 200, `${engine} ${t.name}: ${await res.text()}`);
      }
    };
    const mails = async () => (await (await fetch(mailUrl[1]!, { signal: AbortSignal.timeout(5000) })).json()) as Mail[];
    const posts = async () => (await (await fetch(slackUrl, { signal: AbortSignal.timeout(5000) })).json()) as Post[];
    await Promise.all((['n8n', 'node-red'] as const).map(async (engine) => {
      const day = templateDay(engine);
      const sender = new RegExp(`\\+${engine}@`);
      const fromEngine = async () => (await mails()).filter((m) => sender.test(m.from));
      await post(engine, day.sale);
      for (const d of day.declines) await post(engine, d);
      // The refund after the sale's thank-you: the refund note is about a payment the store has.
      await waitUntil(`${engine}: the thank-you for the sale`, 90_000, async () => ((await fromEngine()).some((m) => m.to.includes(day.who.email) && /^Thank you/.test(m.subject)) || undefined), 500)
        .catch((e: Error) => assert.fail(`${e.message}${output()}`));
      await post(engine, day.refund);
      const wanted: [string, (m: Mail) => boolean][] = [
        ['thank-you', (m) => m.to.includes(day.who.email) && /^Thank you for your visit to /.test(m.subject)],
        ['high-value alert', (m) => m.subject === `High-value customer: ${day.who.name} paid $640.00`],
        // A first payment over the Silver threshold enrolls straight into Silver: the welcome names the tier.
        ['loyalty welcome', (m) => m.to.includes(day.who.email) && /^(Welcome to the .* loyalty program|You are now a Silver at )/.test(m.subject)],
        ['failed-payment alert', (m) => m.subject.endsWith(`3 declined payments at terminal ${day.reader} in 15 minutes`)],
        ['refund note', (m) => m.to.includes(day.who.email) && /^Your refund from /.test(m.subject) && m.text.includes('$100.00')],
      ];
      const missing = async () => {
        const got = await fromEngine();
        return wanted.filter(([, is]) => !got.some(is)).map(([kind]) => kind);
      };
      await waitUntil(`${engine}: every template's mail`, 120_000, async () => ((await missing()).length === 0 || undefined), 500)
        .catch(async (e: Error) => assert.fail(`${e.message}; still missing: ${(await missing()).join(', ')}; mail from ${engine}: ${JSON.stringify((await fromEngine()).map((m) => m.subject))}${output()}`));
      await waitUntil(`${engine}: both alerts on Slack`, 30_000, async () => {
        const p = await posts();
        return (p.some((x) => x.channel === 'high-value-alert' && x.text.includes(day.who.name)) && p.some((x) => x.channel === 'failed-payment-alert' && x.text.includes(day.reader))) || undefined;
      }, 500).catch(async (e: Error) => assert.fail(`${e.message}: ${JSON.stringify(await posts())}`));
    }));
    const templatesMs = Date.now() - templatesAt;

    // A Square payment signed with the key from the environment, to each engine's Square URL.
    const db = await openDatabase(storeUrl);
    const credentials = { square: { signatureKey: squareKey } } as unknown as SourceCredentials;
    await Promise.all(ENDPOINT_ENGINES.map(async (engine) => {
      const url = endpoints[engine].square;
      const c = paymentCase('square', { credentials, url, api: undefined as never }, false);
      const res = await fetch(url, { method: 'POST', headers: c.delivery.headers, body: c.delivery.body });
      assert.equal(res.status, 200, `${engine}: ${await res.text()}`);
      const row = await waitUntil(`${engine}: the Square payment in the store`, 40_000, () => db.get<{ event_id: string }>("SELECT event_id FROM transactions WHERE source = 'square' AND payment_id = ?", [c.paymentId]), 250);
      assert.match(row.event_id, c.eventId);
    }));

    // The simulator has gone round every source, every engine answered every delivery with 2xx, and the sandbox's
    // own count shows each engine recording the events of that round (not only Stripe's).
    await waitUntil('the simulator to post every source', 60_000, async () => (SANDBOX_SOURCES.every((src) => new RegExp(`^${src} `, 'm').test(out)) ? true : undefined))
      .catch((e: Error) => assert.fail(`${e.message}${output()}`));
    const answers = [...out.matchAll(/→ (.*)$/gm)].map((m) => m[1]!);
    assert.ok(answers.length >= SANDBOX_SOURCES.length, output());
    // Stripe's deliveries also went to the five templates' triggers in n8n and in Node-RED.
    for (const line of answers) assert.match(line, /^n8n 200( \(\+5 templates\))?, node-red 200( \(\+5 templates\))?, temporal 200$/, output());
    const stripeLines = out.split('\n').filter((l) => l.startsWith('stripe ') && l.includes('→'));
    assert.ok(stripeLines.length > 0 && stripeLines.every((l) => /→ n8n 200 \(\+5 templates\), node-red 200 \(\+5 templates\), temporal 200$/.test(l)), stripeLines.join('\n'));
    const recorded = await waitUntil(`each engine to record ${SANDBOX_SOURCES.length} simulated events`, 90_000, async () => {
      const last = [...err.matchAll(/events recorded\/posted since start: n8n (\d+)\/\d+ · node-red (\d+)\/\d+ · temporal (\d+)\/\d+$/gm)].at(-1);
      return last && last.slice(1).every((n) => Number(n) >= SANDBOX_SOURCES.length) ? last[0] : undefined;
    }, 500).catch((e: Error) => assert.fail(`${e.message}${output()}`));

    const stoppingAt = Date.now();
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 40_000)))]);
    clearTimeout(timer);
    assert.deepEqual(exit, { code: 0, signal: null }, output());
    assert.match(err, /\[sandbox\] stopped$/m, output());
    const left = seen.filter(isRunning);
    assert.deepEqual(left.map((pid) => `${pid} ${commandOf(pid)}`), [], 'processes left behind');
    for (const [name, port] of Object.entries(ports)) await assertPortFree(port, name);
    process.stderr.write(`[sandbox e2e] ready ${readyMs} ms, stop ${Date.now() - stoppingAt} ms, ${seen.length} processes, Stripe transactions ${JSON.stringify(counts)}, ${thanks.length} thank-yous within ${Date.now() - mailAt} ms of the first Stripe transactions, every template's mail from both engines in ${templatesMs} ms, ${recorded}\n`);
  });
});
