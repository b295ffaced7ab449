/** One item's outcome in a step that settles each item on its own (n8n's "Continue On Fail"). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
