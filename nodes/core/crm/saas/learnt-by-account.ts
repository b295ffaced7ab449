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
