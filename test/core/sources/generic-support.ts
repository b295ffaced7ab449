import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import type { WebhookRequest } from '../../../nodes/core/sources/source';

/** The secret Dodo Payments' own SDK tests sign with (dodopayments-typescript tests/api-resources/webhooks). */
export const DODO_TEST_SECRET = 'whsec_c2VjcmV0Cg==';

const FIXTURE_DIR = join('test', 'core', 'sources', 'fixtures', 'generic');

/** The fixtures live beside the sources, wherever the compiled tests run from. */
function fixtureDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, FIXTURE_DIR))) return join(dir, FIXTURE_DIR);
    if (dirname(dir) === dir) break;
  }
  return resolve(process.cwd(), FIXTURE_DIR);
}

const DIR = fixtureDir();

export const fixturePath = (name: string) => join(DIR, name);
export const fixtureText = (name: string) => readFileSync(fixturePath(name), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixture = <T = any>(name: string): T => JSON.parse(fixtureText(name)) as T;

export interface Signing {
  secret?: string;
  messageId?: string;
  signedAt?: Date;
  receivedAt?: Date;
}

/** A Standard Webhooks delivery signed with the `standardwebhooks` package, the producer's own signer. */
export function standardWebhooksRequest(payload: object | string, s: Signing = {}): WebhookRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signedAt = s.signedAt ?? new Date('2026-03-14T10:21:08Z');
  const messageId = s.messageId ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  return {
    rawBody: Buffer.from(body),
    headers: {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
      'webhook-signature': new Webhook(s.secret ?? DODO_TEST_SECRET).sign(messageId, signedAt, body),
    },
    method: 'POST',
    url: 'https://shop.example.com/webhooks/generic',
    receivedAt: s.receivedAt ?? new Date(signedAt.getTime() + 2_000),
  };
}

export function plainRequest(body: string, headers: Record<string, string>, receivedAt: Date, url = 'https://shop.example.com/webhooks/generic'): WebhookRequest {
  return { rawBody: Buffer.from(body), headers, method: 'POST', url, receivedAt };
}

/** The inbox's contract, in memory: an id seen before is a duplicate. */
export class MemoryInbox implements Inbox {
  readonly seen = new Set<string>();
  async accept(events: readonly PaymentEvent[]) {
    const fresh: PaymentEvent[] = [];
    const duplicates: string[] = [];
    for (const e of events) {
      if (this.seen.has(e.id)) duplicates.push(e.id);
      else {
        this.seen.add(e.id);
        fresh.push(e);
      }
    }
    return { fresh, duplicates };
  }
  async markDone(): Promise<void> {}
}

/** No run of 13–19 digits (a card number's length) anywhere in what the source produced. */
export function assertNoPanDigits(value: unknown): void {
  const text = JSON.stringify(value);
  assert.doesNotMatch(text, /(?<!\d)\d{13,19}(?!\d)/, 'a 13–19 digit run left the source');
}
