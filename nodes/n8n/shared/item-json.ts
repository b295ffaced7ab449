import type { IDataObject } from 'n8n-workflow';

/** n8n items must be plain JSON: drops undefined fields and anything JSON cannot carry. */
export function toItemJson(value: object): IDataObject {
  return JSON.parse(JSON.stringify(value)) as IDataObject;
}
