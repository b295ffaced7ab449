/**
 * Runs `fn` while no other holder of `key` runs. Pipedrive has no upsert, so "search, then create" must not run
 * twice at once for one customer: the two events of one new customer's payment (Stripe sends two) would make two
 * persons. The outbox passes a store-backed lock that holds across processes; alone, a process uses its own.
 */
export type CrmLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** A per-process lock: callers of one key queue in arrival order; other keys run freely. */
export function processLock(): CrmLock {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      // Forget the key once nobody queues behind us, so the map does not grow with every customer ever seen.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/** Ids the adapter found or made recently, so a retry seconds later does not depend on the search index. */
export class RecentIds {
  private readonly ids = new Map<string, string>();
  constructor(private readonly max = 5000) {}
  get(key: string): string | undefined {
    return this.ids.get(key);
  }
  set(key: string, id: string): void {
    this.ids.delete(key);
    this.ids.set(key, id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value as string);
  }
  delete(key: string): void {
    this.ids.delete(key);
  }
}
