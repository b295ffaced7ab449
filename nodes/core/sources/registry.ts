import { InputError } from '../errors';
import { SOURCES, type SourceName } from '../contracts/payment-event';
import type { Source } from './source';
import { stripeTerminalSource } from './stripe-terminal';

const REGISTRY: Record<SourceName, Source> = {
  stripe: stripeTerminalSource,
};

export function sourceByName(name: string): Source {
  const s = REGISTRY[name as SourceName];
  if (!s) throw new InputError('source', `"${name}" is not a supported terminal source`, `use one of: ${SOURCES.join(', ')}`);
  return s;
}
