import { OAuth2TokenError } from '../../http/oauth2-token';
import { scrubPan } from '../../pan-scrub';

/**
 * What can go wrong talking to a CRM, typed so the outbox knows what to do: wait and retry, stop and tell
 * someone, refresh the token once, or give up on one record only.
 */
export type CrmErrorKind = 'rate-limit' | 'auth' | 'validation' | 'transient' | 'config';

export abstract class CrmError extends Error {
  abstract readonly kind: CrmErrorKind;
  /** Worth trying again later, as it is. */
  abstract readonly retryable: boolean;
  constructor(
    readonly crm: string,
    message: string,
  ) {
    // A CRM's refusal quotes what it was sent (a note, a custom field a card number was typed into); the message goes
    // to the outbox row, the drain's stop, the sync's output, a pause's reason and Temporal history.
    super(scrubPan(`${crm}: ${message}`));
    this.name = new.target.name;
  }
}

/**
 * The CRM refused for rate. `policy` is what the vendor's answer means: `wait` (a rolling window: retry after
 * `retryAfterMs`), `stop` (a daily or monthly cap: nothing goes out until it resets; report it).
 */
export class CrmRateLimitError extends CrmError {
  readonly kind = 'rate-limit' as const;
  readonly retryable = true;
  constructor(
    crm: string,
    message: string,
    readonly retryAfterMs: number,
    readonly policy: 'wait' | 'stop',
    /** The vendor's own name for the limit hit, e.g. HubSpot's TEN_SECONDLY_ROLLING or DAILY. */
    readonly limitName?: string,
  ) {
    super(crm, message);
  }
}

/** Credentials refused even after one refresh: an operator must fix the credential. */
export class CrmAuthError extends CrmError {
  readonly kind = 'auth' as const;
  readonly retryable = false;
}

/** The CRM refused a record's content; only that record fails. `field` names the CRM field when the vendor says. */
export class CrmValidationError extends CrmError {
  readonly kind = 'validation' as const;
  readonly retryable = false;
  constructor(
    crm: string,
    message: string,
    readonly field?: string,
  ) {
    super(crm, message);
  }
}

/** 5xx, timeouts, connection resets: try again later. */
export class CrmTransientError extends CrmError {
  readonly kind = 'transient' as const;
  readonly retryable = true;
  constructor(
    crm: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(crm, message);
  }
}

/** No answer came (a timeout, a dropped connection): the CRM may have done what was asked. */
export class CrmNoAnswerError extends CrmTransientError {}

/**
 * A CRM's token endpoint did not give a token: down or busy is transient (the outbox waits and tries again), a
 * refusal is the credential, for an operator to fix as `fix` says. Other errors pass as they are.
 */
export function tokenFailure(crm: string, e: unknown, fix: string): unknown {
  if (!(e instanceof OAuth2TokenError)) return e;
  return e.transient ? new CrmTransientError(crm, e.message) : new CrmAuthError(crm, `${e.message} — ${fix}`);
}

/** Our own setup is wrong (missing field mapping, unknown object): no retry helps until an operator changes it. */
export class CrmConfigError extends CrmError {
  readonly kind = 'config' as const;
  readonly retryable = false;
}
