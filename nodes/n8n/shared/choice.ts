import type { INodeProperties } from 'n8n-workflow';
import { notOneOfItsChoices } from '../../core/errors';

/**
 * The value of an options parameter, refused by its label when it is none of its options (a workflow edited or
 * imported by hand, an expression) instead of being read as another choice or failing on a parameter it hides.
 */
export function choiceOf<T extends string>(property: INodeProperties, value: unknown): T {
  const options = (property.options ?? []) as Array<{ name: string; value: unknown }>;
  if (options.some((o) => o.value === value)) return value as T;
  throw notOneOfItsChoices(property.displayName, value, `choose one of: ${options.map((o) => o.name).join(', ')}`);
}
