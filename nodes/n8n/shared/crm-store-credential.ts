/** The "Terminal CRM Store" credential as the nodes read it (credentials/TerminalCrmStore.credentials.ts). */
export interface CrmStoreCredential {
  storeUrl: string;
  tokenKeys: string;
  defaultRegion: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function readCrmStoreCredential(credential: object | undefined): CrmStoreCredential {
  const data = credential as Record<string, unknown> | undefined;
  return {
    storeUrl: text(data?.storeUrl),
    tokenKeys: text(data?.tokenKeys),
    defaultRegion: text(data?.defaultRegion) || 'US',
  };
}
