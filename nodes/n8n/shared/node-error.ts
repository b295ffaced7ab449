import { NodeOperationError, type INode } from 'n8n-workflow';

/**
 * The core's messages already say "<field>: <problem>. Fix: <fix>", written for operators; they are shown as they
 * are, with the item they belong to.
 */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeOperationError {
  if (error instanceof NodeOperationError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return new NodeOperationError(node, cause, itemIndex === undefined ? {} : { itemIndex });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
