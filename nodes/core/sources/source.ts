import type { PaymentEvent, SourceName } from '../contracts/payment-event';

/** A webhook exactly as it arrived: the raw body must be the bytes the processor signed. */
export interface WebhookRequest {
  rawBody: Buffer | string;
  headers: Record<string, string | string[] | undefined>;
}

/** A terminal/processor adapter: one file per processor under sources/. */
export interface Source {
  readonly name: SourceName;
  /** Event types this source turns into PaymentEvents; others are acknowledged and ignored. */
  readonly handledEventTypes: readonly string[];
  /** Checks the signature with the processor's own SDK; throws SignatureError. Returns the parsed event. */
  verify(request: WebhookRequest, signingSecrets: readonly string[]): unknown;
  /** Maps a verified processor event to a PaymentEvent; throws IgnoredEventError for types it does not handle. */
  normalize(processorEvent: unknown): PaymentEvent;
}

export function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
