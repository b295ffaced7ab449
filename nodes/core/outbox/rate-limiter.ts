import type { CrmLimits } from '../crm/saas/crm-adapter';

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
 * - a token bucket one token deep, refilled at requestsPerWindow / windowMs, spaces requests evenly on short
 *   windows (HubSpot 190 per 10 s → one every 52.6 ms), so a drain never bursts; daily budgets (Salesforce,
 *   Zoho) are not spaced, a backlog may use them as fast as the CRM answers;
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
  private spacingMs = 0;
  /** End times of finished requests still inside the window, oldest first, from `head`. */
  private ends: number[] = [];
  private head = 0;
  private inFlight = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
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

  configure(limits: Pick<CrmLimits, 'requestsPerWindow' | 'windowMs'>): void {
    this.perWindow = Math.max(1, Math.floor(limits.requestsPerWindow));
    this.windowMs = Math.max(1, limits.windowMs);
    this.spacingMs = this.windowMs <= 60_000 ? this.windowMs / this.perWindow : 0;
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
    let at = Math.max(t, this.pausedUntil, this.lastStart + this.spacingMs);
    if (this.inFlight + this.ends.length - this.head >= this.perWindow) {
      at = this.ends.length > this.head ? Math.max(at, this.ends[this.head]! + this.windowMs) : Number.POSITIVE_INFINITY;
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
        this.lastStart = t;
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

  private prune(t: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! <= t - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
  }
}
