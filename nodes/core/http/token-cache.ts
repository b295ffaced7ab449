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

export class TokenCache {
  private current?: AccessToken;
  private pending?: Promise<AccessToken>;
  constructor(
    private readonly fetchToken: () => Promise<AccessToken>,
    private readonly now: () => number = Date.now,
    /** Renew this long before expiry, so a request never leaves with a token that dies on the way. */
    private readonly marginMs = 60_000,
  ) {}

  async get(): Promise<AccessToken> {
    const t = this.current;
    if (t && (t.expiresAt === undefined || t.expiresAt - this.marginMs > this.now())) return t;
    return this.renew();
  }

  /** Drop the token (after a 401) and fetch another; callers waiting at the same time share one fetch. */
  renew(): Promise<AccessToken> {
    this.current = undefined;
    this.pending ??= this.fetchToken()
      .then((t) => (this.current = t))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
