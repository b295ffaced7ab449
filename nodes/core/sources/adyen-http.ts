import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod/v4';
import { headerValue, type WebhookAnswer } from './source';

/**
 * The acknowledgement: HTTP 200 with exactly "[accepted]" as the body, as Adyen's point-of-sale webhook guide and its
 * Terminal API notification guide ask (https://docs.adyen.com/point-of-sale/design-your-integration/notifications/standard-notifications,
 * https://docs.adyen.com/point-of-sale/terminal-api-fundamentals/event-notifications). Newer Adyen accounts accept on
 * the 2xx status alone; older ones queue the whole batch and retry it for days on any other body. It is the answer
 * for every delivery that is kept, also when some of its items were forged or ignored.
 */
export const ADYEN_ACCEPTED: WebhookAnswer = { status: 200, contentType: 'text/plain', body: '[accepted]' };

/** An empty text box in an n8n credential or an unset variable means "not configured". */
export const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().optional());

/**
 * The username and password Adyen puts in the Authorization header, when the operator set them in the Customer
 * Area: compared as SHA-256 digests, so the comparison takes the same time whatever the input's length or content.
 * Returns why the header does not match, or undefined when it does.
 */
export function basicAuthProblem(headers: Record<string, string | string[] | undefined>, username: string, password: string): string | undefined {
  const header = headerValue(headers, 'authorization');
  if (!header) return 'the Authorization header is missing; this endpoint has Basic auth credentials configured';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return 'the Authorization header is not Basic auth';
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  const expected = `${username}:${password}`;
  const same = timingSafeEqual(digest(given), digest(expected));
  return same ? undefined : 'the Basic auth username or password does not match the configured ones';
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Both halves of a Basic auth pair or neither: half a pair would silently switch the check off. */
export function requirePair(
  v: { basicUsername?: string; basicPassword?: string },
  ctx: { addIssue(issue: { code: 'custom'; message: string; path: string[] }): void },
  label: string,
): void {
  if (v.basicUsername && !v.basicPassword) {
    ctx.addIssue({ code: 'custom', path: ['basicPassword'], message: `a Basic auth username is set for ${label} but no password` });
  }
  if (v.basicPassword && !v.basicUsername) {
    ctx.addIssue({ code: 'custom', path: ['basicUsername'], message: `a Basic auth password is set for ${label} but no username` });
  }
}
