/**
 * What errors about where the store is call it: n8n's label in the Terminal CRM Store credential. The faces that
 * take it under another name rename it (errors.ts renamedField): the CLI's --store, the worker's
 * TERMINAL_CRM_STORE_URL, Node-RED's store node.
 */
export const STORE_FIELD = 'Store Location';
