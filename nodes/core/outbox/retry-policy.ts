import type { OutboxPolicy } from './types';

/**
 * When a row that failed `attempts` times is tried again: exponential (baseDelayMs doubling) up to maxDelayMs,
 * half of it fixed and half random, so rows that failed together (one batch, one outage) do not come back
 * together; never sooner than the CRM asked (Retry-After).
 */
export function retryDelayMs(policy: OutboxPolicy, attempts: number, random: () => number, atLeastMs = 0): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.max(Math.round(exp / 2 + random() * (exp / 2)), atLeastMs);
}

/** A row is given up on after maxAttempts failures, or once it has waited maxAgeMs since it was first queued. */
export function isGivenUp(policy: OutboxPolicy, attempts: number, createdAt: string, now: number): boolean {
  return attempts >= policy.maxAttempts || now - Date.parse(createdAt) >= policy.maxAgeMs;
}

export function givenUpReason(policy: OutboxPolicy, attempts: number, createdAt: string, now: number, lastReason: string): string {
  const why = attempts >= policy.maxAttempts
    ? `gave up after ${attempts} attempts`
    : `gave up after ${Math.round((now - Date.parse(createdAt)) / 3_600_000)} h of retries`;
  return `${why}; last: ${lastReason}`;
}
