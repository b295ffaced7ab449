import type { CrmLimits } from './crm-adapter';

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const realClock: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Call once when the request's answer (or its failure) is in. */
export type Release = () => void;

/**
 * Paces requests to one CRM within its documented limit of `requestsPerWindow` per `windowMs`.
 *
 * Two rules, both needed:
 * - a token bucket refilled at requestsPerWindow / windowMs spaces requests evenly on short windows (HubSpot 190
 *   per 10 s → one every 52.6 ms). It starts with one token and holds a twentieth of the window's budget at most,
 *   so a drainer that was held up (a slow answer, a busy machine) catches up with a short burst instead of losing
 *   the time for good. Daily budgets (Salesforce, Zoho) are not spaced: a backlog may use them as fast as the CRM
 *   answers;
 * - a rolling-window guard: a request starts only when fewer than requestsPerWindow requests started, or ended,
 *   within the last windowMs. HubSpot and Pipedrive count a rolling window, which a bucket alone overruns at its
 *   edges (a full bucket plus a window's refill is twice the limit). Counting a request until windowMs after its
 *   answer arrived, not after it was sent, keeps the count at or under the CRM's own however long requests take.
 *
 * One limiter per CRM account per process (drainers of one process share it, see paced-transport.ts); instances
 * on other machines have their own, and the CRM's 429 with Retry-After (`pauseFor`) covers their sum.
 */
export class RateLimiter {
  private perWindow = 1;
  private windowMs = 1_000;
  private ceiling = { requestsPerWindow: 1, windowMs: 1_000 };
  private spacingMs = 0;
  private capacity = 1;
  private tokens = 1;
  private refilledAt = Number.NaN;
  /** End times of finished requests still inside the window, oldest first, from `head`. */
  private ends: number[] = [];
  private head = 0;
  private inFlight = 0;
  private pausedUntil = 0;
  private waiters: (() => void)[] = [];
  /** Requests started, and how long acquire() made them wait in all (for reports and benchmarks). */
  started = 0;
  waitedMs = 0;

  constructor(
    limits: Pick<CrmLimits, 'requestsPerWindow' | 'windowMs'>,
    readonly clock: Clock = realClock,
  ) {
    this.configure(limits);
  }

  /** The pace the limits allow, and the most `heed` may let a CRM's answer raise it to. */
  configure(limits: Pick<CrmLimits, 'requestsPerWindow' | 'windowMs'>): void {
    this.ceiling = { requestsPerWindow: Math.max(1, Math.floor(limits.requestsPerWindow)), windowMs: Math.max(1, limits.windowMs) };
    this.apply(this.ceiling);
  }

  /**
   * The CRM's answer says what this account allows (its plan, not the documented maximum): pace at that where it
   * is slower than the configured limits, at those where not.
   */
  heed(said: Pick<CrmLimits, 'requestsPerWindow' | 'windowMs'>): void {
    const per = Math.floor(said.requestsPerWindow);
    if (!(per >= 1) || !(said.windowMs >= 1)) return;
    const c = this.ceiling;
    const pace = per / said.windowMs < c.requestsPerWindow / c.windowMs ? { requestsPerWindow: per, windowMs: said.windowMs } : c;
    if (pace.requestsPerWindow !== this.perWindow || pace.windowMs !== this.windowMs) this.apply(pace);
  }

  private apply(limits: { requestsPerWindow: number; windowMs: number }): void {
    this.perWindow = limits.requestsPerWindow;
    this.windowMs = limits.windowMs;
    this.spacingMs = this.windowMs <= 60_000 ? this.windowMs / this.perWindow : 0;
    this.capacity = Math.max(1, Math.round(this.perWindow / 20));
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  get limits(): { requestsPerWindow: number; windowMs: number } {
    return { requestsPerWindow: this.perWindow, windowMs: this.windowMs };
  }

  /** The CRM said to wait (a 429 with Retry-After): nothing starts before then. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + Math.max(0, ms));
  }

  /** When the next request may start; `now` if at once. */
  nextStartAt(): number {
    const t = this.clock.now();
    this.prune(t);
    this.refill(t);
    const bucket = this.tokens >= 1 - 1e-9 ? t : t + (1 - this.tokens) * this.spacingMs;
    let at = Math.max(t, this.pausedUntil, bucket);
    if (this.inFlight + this.ends.length - this.head >= this.perWindow) {
      // The oldest answer leaves the window when end <= now - window, as a CRM counts it. In floating point,
      // end + window <= now can hold a hair before that does: then look again a moment later.
      const free = this.ends.length > this.head ? this.ends[this.head]! + this.windowMs : Number.POSITIVE_INFINITY;
      at = Math.max(at, free <= t ? t + 0.001 : free);
    }
    return at;
  }

  /**
   * Waits for a slot and takes it. With a deadline, gives up (undefined, no slot taken) rather than wait past it.
   */
  async acquire(options: { deadline?: number } = {}): Promise<Release | undefined> {
    const first = this.clock.now();
    for (;;) {
      const t = this.clock.now();
      const at = this.nextStartAt();
      if (at <= t) {
        this.inFlight++;
        this.started++;
        if (this.spacingMs > 0) this.tokens -= 1;
        this.waitedMs += t - first;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.ends.push(this.clock.now());
          for (const wake of this.waiters.splice(0)) wake();
        };
      }
      if (options.deadline !== undefined && at > options.deadline) return undefined;
      if (at === Number.POSITIVE_INFINITY) {
        // Every slot is taken by a request still out: the first answer frees one.
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      } else {
        await this.clock.sleep(at - t);
      }
    }
  }

  private refill(t: number): void {
    if (this.spacingMs === 0) return;
    if (Number.isNaN(this.refilledAt)) this.refilledAt = t;
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.refilledAt) / this.spacingMs);
    this.refilledAt = t;
  }

  private prune(t: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! <= t - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
  }
}
