import type { HttpRequest, HttpResponse, HttpTransport } from '../../nodes/core/http/http-transport';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { sandboxSource, type SandboxSource, type SourceCredentials } from './sandbox-sources';
import type { ProcessorApiServer } from './processor-api-server';
import { sandboxDay, type SandboxStep, type Till } from './shop-scenario';

export interface SimulatorTarget {
  /** The engine. */
  name: string;
  /** Its till: Stripe ids get `_<name>` appended; the other processors' ids are the till's own. */
  till: Omit<Till, 'book'>;
  /** Where each source's deliveries go. */
  urls: Record<SandboxSource, string>;
  /** More triggers that get the same delivery (the message templates' own, beside the payment flow's). */
  alsoTo?: Partial<Record<SandboxSource, readonly string[]>>;
  /** What the engine verifies each source with, to know which event ids a delivery should leave in the store. */
  credentials: SourceCredentials;
}

/** What one target answered: its HTTP status, or why it could not be reached. */
export interface SimulatorAnswer {
  target: string;
  status?: number;
  error?: string;
  /** The events the delivery holds (namespaced ids), as the core's source reads it. */
  eventIds: string[];
  /** What the `alsoTo` triggers answered: how many 2xx, and the others as "<url> <status or error>". */
  also?: { accepted: number; failed: string[] };
}

export interface SimulatorOptions {
  targets: readonly SimulatorTarget[];
  /** Serves the Clover and SumUp payments the deliveries name. */
  api: Pick<ProcessorApiServer, 'clover' | 'sumup'>;
  intervalMs: number;
  log(line: string): void;
  onDelivered?(step: SandboxStep, answers: SimulatorAnswer[]): void;
  /** Default: every source in turn. */
  day?: Iterator<SandboxStep>;
}

/** The simulated Clover and SumUp APIs in this process, for reading a delivery the way an engine will. */
function inProcessApi(api: SimulatorOptions['api']): HttpTransport {
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const stub = /\/v3\/merchants\//.test(req.url) ? api.clover : api.sumup;
      try {
        return await stub.request(req);
      } finally {
        stub.requests.length = 0;
      }
    },
  };
}

/**
 * Posts the day's events, each target's own copy signed with its keys, every `intervalMs`, and reports what each
 * engine answered and which event ids each delivery holds (read by the core's own source, so the sandbox can tell
 * what each engine has recorded). Returns a stop function, which resolves once the deliveries under way have been
 * answered.
 */
export function startSimulator(o: SimulatorOptions): () => Promise<void> {
  const day = o.day ?? sandboxDay();
  const books = new Map(o.targets.map((t) => [t.name, {}]));
  const local = inProcessApi(o.api);
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const tick = async () => {
    const step: SandboxStep = day.next().value;
    let type = '';
    const answers = await Promise.all(
      o.targets.map(async (t): Promise<SimulatorAnswer> => {
        const url = t.urls[step.source];
        const d = step.deliver({ ...t.till, book: books.get(t.name)! });
        type ||= d.type;
        if (d.clover) o.api.clover.add(d.clover);
        if (d.sumup) o.api.sumup.add(d.sumup);
        const eventIds = await idsOf(step.source, d, url, t.credentials[step.source], local);
        const extra = t.alsoTo?.[step.source] ?? [];
        const [main, ...others] = await Promise.all([url, ...extra].map((u) => post(u, d)));
        const also = extra.length
          ? { accepted: others.filter((a) => a.status !== undefined && a.status < 300).length, failed: others.flatMap((a, i) => (a.status !== undefined && a.status < 300 ? [] : [`${extra[i]} ${a.status ?? a.error}`])) }
          : undefined;
        return { target: t.name, ...main!, eventIds, ...(also ? { also } : {}) };
      }),
    );
    const shown = answers.map((a) => {
      const main = a.status !== undefined ? `${a.target} ${a.status}` : `${a.target} unreachable (${a.error})`;
      if (!a.also) return main;
      return `${main} (+${a.also.accepted} templates${a.also.failed.length ? `, failed: ${a.also.failed.join('; ')}` : ''})`;
    });
    o.log(`${step.source.padEnd(14)} ${type.padEnd(28)} ${step.label.padEnd(36)} → ${shown.join(', ')}`);
    o.onDelivered?.(step, answers);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    const running = tick()
      .catch((e: unknown) => o.log(`the simulator failed a step: ${(e as Error).message}`))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }, o.intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await Promise.all(inFlight);
  };
}

async function post(url: string, d: { body: string; headers: Record<string, string> }): Promise<{ status?: number; error?: string }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return { status: res.status };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The namespaced event ids a delivery holds, as the engine's trigger will read it (no inbox: nothing is kept). */
async function idsOf(source: SandboxSource, d: { body: string; headers: Record<string, string> }, url: string, credentials: Record<string, string>, http: HttpTransport): Promise<string[]> {
  const outcome = await receiveWebhook(sandboxSource(source), { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url, receivedAt: new Date() }, { credentials, http });
  return outcome.events.map((e) => e.id);
}
