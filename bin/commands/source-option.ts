import { SourceNameSchema } from '../../nodes/core/contracts/payment-event';
import { InputError } from '../../nodes/core/errors';

/** --source as the commands that filter by source read it: a source's name (stripe, square, a generic source's own). */
export function parseSourceOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = SourceNameSchema.safeParse(value.trim());
  if (!parsed.success) throw new InputError('--source', `"${value}" is not a source name`, 'give a source such as stripe, square or adyen, or a generic source\'s name');
  return parsed.data;
}
