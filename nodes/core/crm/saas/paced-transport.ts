import { AsyncLocalStorage } from 'node:async_hooks';
import type { CrmAdapter, CrmLimits } from './crm-adapter';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../http/http-transport';
import { RateLimiter, realClock, type Clock } from './rate-limiter';

/** How a drain paces an adapter: per HTTP request (exact), or per adapter call when the transport is not paced. */
export interface Pacing {
  limiter: RateLimiter;
  perRequest: boolean;
}

const paced = new WeakMap<CrmAdapter, Pacing>();

/**
 * The drain run an adapter call belongs to, seen by the paced transport: its deadline (flushNow, --deadline), if any,
 * and its check that the batch's rows are still its own, run before each paced request goes out (after any wait for
 * the rate limit), which throws LeaseLostError when another drainer has taken them meanwhile.
 */
export interface DrainCall {
  deadline?: number;
  keepLease: () => Promise<void>;
}

export const drainCall = new AsyncLocalStorage<DrainCall>();

/** Rows of the batch another drainer took once this one's lease ran out: nothing more of the batch goes out. */
export class LeaseLostError extends Error {
  constructor(readonly lostIds: readonly string[]) {
    super(`not sent: ${lostIds.length} outbox row(s) of the batch were taken by another drainer after the lease ran out`);
    this.name = 'LeaseLostError';
  }
}

/** The rate limit would hold the request past the drain run's deadline: the batch goes back to wait, unsent. */
export class PacingDeadlineError extends Error {
  constructor(readonly nextStartAt: number) {
    super('not sent: the CRM rate limit holds requests past the drain run’s deadline');
    this.name = 'PacingDeadlineError';
  }
}

/**
 * HTTP that takes a slot from `limiter` for every request, so an adapter call that makes several requests (HubSpot
 * payments: the upsert, a contact lookup, the associations) is paced as the CRM counts it.
 */
export function pacedTransport(http: HttpTransport, limiter: RateLimiter, heard?: (res: HttpResponse) => void): HttpTransport {
  return {
    async request(req) {
      const run = drainCall.getStore();
      const deadline = run?.deadline;
      const release = await limiter.acquire(deadline === undefined ? {} : { deadline });
      if (!release) throw new PacingDeadlineError(limiter.nextStartAt());
      try {
        // The wait may have outlasted the drain's lease on the batch: nothing goes out for rows no longer its own.
        await run?.keepLease();
        const res = await http.request(req);
        heard?.(res);
        return res;
      } finally {
        release?.();
      }
    },
    ...(http.refreshAuth ? { refreshAuth: (failed?: HttpRequest) => http.refreshAuth!(failed) } : {}),
  };
}

/**
 * An adapter whose every HTTP request takes a slot from one limiter, sized by the adapter's own documented limits
 * and shared with the drain (markPaced). `make` wraps each transport it builds in `paced`; it makes no request.
 */
export function pacedAdapter(make: (paced: (http: HttpTransport) => HttpTransport) => CrmAdapter, clock: Clock = realClock): CrmAdapter {
  // Sized for real once the adapter says its limits (they follow from its settings).
  const limiter = new RateLimiter({ requestsPerWindow: 1, windowMs: 1_000 }, clock);
  let adapter: CrmAdapter | undefined;
  // The account's plan may allow less than the adapter's settings assume (HubSpot Free and Starter: 100 per 10 s,
  // not 190): its answers say so, and the pace follows them, never above the configured limits.
  const heard = (res: HttpResponse) => {
    const said = adapter?.limitsFrom?.(res);
    if (said) limiter.heed(said);
  };
  adapter = make((http) => pacedTransport(http, limiter, heard));
  limiter.configure(adapter.limits);
  return markPaced(adapter, limiter);
}

/** Says that `adapter` sends through a pacedTransport of `limiter`, which the drain then shares. */
export function markPaced(adapter: CrmAdapter, limiter: RateLimiter): CrmAdapter {
  paced.set(adapter, { limiter, perRequest: true });
  return adapter;
}

/**
 * The limiter a drain of `adapter` uses: the one its transport is paced by, else one per adapter (shared by every
 * drain of it in this process) that counts each adapter call as one request — exact for one-request batches
 * (contact upserts, field updates), an undercount where a call makes several, which the CRM's 429 then corrects.
 */
export function pacingFor(adapter: CrmAdapter, clock: Clock, limits?: Partial<CrmLimits>): Pacing {
  let p = paced.get(adapter);
  if (!p) {
    p = { limiter: new RateLimiter(adapter.limits, clock), perRequest: false };
    paced.set(adapter, p);
  }
  if (limits?.requestsPerWindow !== undefined || limits?.windowMs !== undefined) {
    p.limiter.configure({ requestsPerWindow: limits.requestsPerWindow ?? adapter.limits.requestsPerWindow, windowMs: limits.windowMs ?? adapter.limits.windowMs });
  }
  return p;
}
