import { createSource } from '../../nodes/core/sources/registry';
import type { Source } from '../../nodes/core/sources/source';
import { GENERIC_SANDBOX_CONFIG } from './generic-events';

/** Every source the sandbox runs, in the order it lists them. */
export const SANDBOX_SOURCES = ['stripe', 'square', 'adyen', 'adyen-terminal', 'zettle', 'clover', 'sumup', 'generic'] as const;
export type SandboxSource = (typeof SANDBOX_SOURCES)[number];

/** A source's credential record as the core parses it (field → value), the same in every engine. */
export type SourceCredentialRecord = Record<string, string>;
export type SourceCredentials = Record<SandboxSource, SourceCredentialRecord>;

/** The core's source for a sandbox source; the generic one as the simulator's gateway is configured. */
export function sandboxSource(name: SandboxSource): Source<unknown> {
  return name === 'generic' ? createSource('generic', GENERIC_SANDBOX_CONFIG) : createSource(name);
}
