/**
 * What this process has learnt of a CRM account, by account: `accountKey` is a digest of the account's credential
 * record (crm-from-credentials.ts), never the secret itself. The n8n face builds an adapter per execution, which
 * would otherwise ask the CRM again in every execution and double the requests a one-payment execution makes; a
 * restart only asks once more. The oldest account is forgotten past `max`.
 */
export interface LearntByAccount<T> {
  get(accountKey: string | undefined): T | undefined;
  remember(accountKey: string | undefined, value: T): void;
}

export function learntByAccount<T>(max = 256): LearntByAccount<T> {
  const learnt = new Map<string, T>();
  return {
    get: (accountKey) => (accountKey === undefined ? undefined : learnt.get(accountKey)),
    remember(accountKey, value) {
      if (accountKey === undefined) return;
      if (!learnt.has(accountKey) && learnt.size >= max) learnt.delete(learnt.keys().next().value!);
      learnt.set(accountKey, value);
    },
  };
}

/** A reading that failed for a reason that may pass (no answer, a 5xx) is tried again this much later at the earliest. */
export const ASK_AGAIN_AFTER_MS = 5 * 60_000;

/** What `ask` answers when the CRM's answer may change on a later reading: why, for an operator. */
export interface AskAgain {
  askAgain: string;
}

export interface AccountFact<T> {
  /** Awaited before the adapter's calls: while the fact is not known, asks the CRM (one reading at a time). */
  ready(): Promise<void>;
  known(): T | undefined;
  /** Why the last reading failed and from when it is asked again, while the fact is not known. */
  failed(): { why: string; askAt: number } | undefined;
}

/**
 * A fact of the CRM account the adapter reads before its first call (HubSpot's and Zoho's time zones): kept for the
 * account once the CRM says it, or refuses it for good (`ask` answers a fallback then); asked again no sooner than
 * ASK_AGAIN_AFTER_MS later when the reading failed for a reason that may pass (`ask` answers AskAgain, or throws
 * other than `passOn`, whose errors the batch would meet too and so are thrown to it).
 */
export function accountFact<T extends object>(o: {
  learnt: LearntByAccount<T>;
  accountKey: string | undefined;
  now: () => number;
  ask: () => Promise<T | AskAgain>;
  passOn: (e: unknown) => boolean;
  /** Why a reading that threw failed, in the CRM's words. */
  failedWith: (e: unknown) => string;
}): AccountFact<T> {
  let known = o.learnt.get(o.accountKey);
  let failed: { why: string; askAt: number } | undefined;
  let asking: Promise<void> | undefined;
  const retryLater = (why: string) => {
    failed = { why, askAt: o.now() + ASK_AGAIN_AFTER_MS };
  };
  const read = async (): Promise<void> => {
    try {
      const said = await o.ask();
      if ('askAgain' in said) return retryLater(said.askAgain);
      known = said as T;
      failed = undefined;
      o.learnt.remember(o.accountKey, known);
    } catch (e) {
      if (o.passOn(e)) throw e;
      retryLater(o.failedWith(e));
    }
  };
  return {
    ready() {
      if (known || (failed && o.now() < failed.askAt)) return Promise.resolve();
      asking ??= read().finally(() => {
        asking = undefined;
      });
      return asking;
    },
    known: () => known,
    failed: () => (known ? undefined : failed),
  };
}
