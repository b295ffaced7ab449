import { SOURCES, type BuiltInSourceName } from '../contracts/payment-event';
import { InputError } from '../errors';
import { adyenSource } from './adyen';
import { adyenTerminalSource } from './adyen-terminal';
import { cloverSource } from './clover';
import { configurationObject, createGenericSource } from './generic';
import type { Source } from './source';
import { squareSource } from './square';
import { stripeTerminalSource } from './stripe-terminal';
import { sumupSource } from './sumup';
import { zettleSource } from './zettle';

/**
 * Sources are made by factories: most need nothing, a generic source is a configured instance (its own name,
 * signature scheme and field mapping). A face asks for a source by name and never imports a vendor file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SourceFactory = (options?: unknown) => Source<any>;

const FACTORIES = new Map<string, SourceFactory>([
  ['stripe', () => stripeTerminalSource],
  ['square', () => squareSource],
  ['adyen', () => adyenSource],
  ['adyen-terminal', () => adyenTerminalSource],
  ['zettle', () => zettleSource],
  ['clover', () => cloverSource],
  ['sumup', () => sumupSource],
  // What a face parsed from its box, never text or null: those would be read from the server (configurationObject).
  ['generic', (options) => createGenericSource(configurationObject(options))],
]);

/** The sources this build can create, for editors' option lists and error messages. */
export function availableSources(): string[] {
  return [...FACTORIES.keys()];
}

/** Adds a source (a developer's own processor), or replaces a built-in one in tests. */
export function registerSource(name: string, factory: SourceFactory): void {
  FACTORIES.set(name, factory);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createSource(name: string, options?: unknown): Source<any> {
  const factory = FACTORIES.get(name);
  if (!factory) {
    throw new InputError('source', `"${name}" is not a supported terminal source`, `use one of: ${availableSources().join(', ')}`);
  }
  return factory(options);
}

/** Kept for callers that only need a built-in source by name. */
export const sourceByName = (name: string) => createSource(name);

export const isBuiltInSource = (name: string): name is BuiltInSourceName => (SOURCES as readonly string[]).includes(name);
