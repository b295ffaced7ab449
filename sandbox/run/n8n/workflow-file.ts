/** The shape of an n8n workflow file, as far as importing it needs. */
export interface N8nWorkflowFile {
  name?: string;
  nodes: Array<{ name: string; type: string; typeVersion: number; webhookId?: string; credentials?: Record<string, { id: string; name: string }>; [key: string]: unknown }>;
  connections: unknown;
  settings?: unknown;
}

/** Credential type → the saved credential a node should use. */
export type CredentialRefs = Record<string, { id: string; name: string }>;
