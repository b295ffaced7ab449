import { createHash } from 'node:crypto';

/**
 * An access token kept until shortly before it expires, fetched once however many calls wait for it. Never one
 * login per call: n8n's own Salesforce node does that and runs into Salesforce's login rate limit.
 */
export interface AccessToken {
  token: string;
  /** Epoch ms; undefined: valid until the CRM says otherwise (a 401). */
  expiresAt?: number;
  /** Some flows return where to call (Salesforce's instance_url). */
  instanceUrl?: string;
}

/** Where a cache keeps its token: its own, or one every cache of the same account shares (sharedTokenSlot). */
export interface TokenSlot {
  current?: AccessToken;
  pending?: Promise<AccessToken>;
}

const sharedSlots = new Map<string, TokenSlot>();

/**
 * The one slot of an account in this process, for a face that builds its adapter anew for every run (n8n, each
 * execution): without it every execution would log in again. `parts` name the account and hold its secret, so a
 * changed secret is another slot; they are kept hashed, not as given.
 */
export function sharedTokenSlot(...parts: readonly string[]): TokenSlot {
  const key = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  let slot = sharedSlots.get(key);
  if (!slot) sharedSlots.set(key, (slot = {}));
  return slot;
}

/** Forgets every shared token (tests that start each case with a fresh login). */
export function forgetSharedTokens(): void {
  sharedSlots.clear();
}

export class TokenCache {
  constructor(
    private readonly fetchToken: () => Promise<AccessToken>,
    private readonly now: () => number = Date.now,
    /** Renew this long before expiry, so a request never leaves with a token that dies on the way. */
    private readonly marginMs = 60_000,
    private readonly slot: TokenSlot = {},
  ) {}

  async get(): Promise<AccessToken> {
    const t = this.slot.current;
    if (t && (t.expiresAt === undefined || t.expiresAt - this.marginMs > this.now())) return t;
    return this.renew();
  }

  /**
   * Drop the token (after a 401) and fetch another; callers waiting at the same time share one fetch. `refused`, the
   * token the 401 answered: when the slot holds another by now (a caller sharing it renewed it meanwhile, as
   * executions of one account do: sharedTokenSlot), that one is kept and no login is made for a token already gone.
   */
  renew(refused?: AccessToken): Promise<AccessToken> {
    const slot = this.slot;
    if (refused && slot.current && slot.current.token !== refused.token) return Promise.resolve(slot.current);
    slot.current = undefined;
    slot.pending ??= this.fetchToken()
      .then((t) => (slot.current = t))
      .finally(() => (slot.pending = undefined));
    return slot.pending;
  }
}
