import { NodeOperationError, type INode } from 'n8n-workflow';
import { scrubError, scrubbedError } from '../../core/tokenize/scrub-error';

/**
 * The core's messages already say "<field>: <problem>. Fix: <fix>", written for operators; they are shown as they
 * are, with the item they belong to. Scrubbed of card data (scrubError) on the way out: n8n keeps a failed
 * execution's error, and an error the core did not build (a processor's or a CRM's answer) may quote one.
 */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeOperationError {
  if (error instanceof NodeOperationError) return scrubError(error);
  const cause = scrubbedError(error);
  return new NodeOperationError(node, cause, itemIndex === undefined ? {} : { itemIndex });
}

/** An error's message as an item's `error` (continue on fail) or a credential test shows it, scrubbed as toNodeError's. */
export function errorMessage(error: unknown): string {
  return scrubError(error instanceof Error ? error.message : String(error));
}
