import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toItemJson } from './item-json';
import { errorMessage, toNodeError } from './node-error';

/**
 * Runs a step on every input item. With "Continue On Fail" a bad item becomes `{ error }` alone: its input is
 * not passed on, because an item that failed Tokenize may still hold card data.
 */
export async function mapItems(
  ctx: IExecuteFunctions,
  step: (json: IDataObject, itemIndex: number) => object | Promise<object>,
): Promise<INodeExecutionData[]> {
  const items = ctx.getInputData();
  const out: INodeExecutionData[] = [];
  for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
    try {
      out.push({ json: toItemJson(await step(items[itemIndex]!.json, itemIndex)), pairedItem: { item: itemIndex } });
    } catch (error) {
      if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error, itemIndex);
      out.push({ json: { error: errorMessage(error) }, pairedItem: { item: itemIndex } });
    }
  }
  return out;
}
