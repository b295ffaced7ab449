import { InputError } from '../nodes/core/errors';

/** The Temporal packages the faces may load; they are optional peer dependencies of the pack. */
const TEMPORAL_PACKAGE = /@temporalio\/[a-z-]+/;

/**
 * Runs a `require` of Temporal code only when a node first talks to Temporal, so n8n and Node-RED load the pack
 * without the Temporal SDK. A missing SDK package becomes an error that names the package and how to add it.
 */
export function loadTemporal<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err?.code === 'MODULE_NOT_FOUND' ? TEMPORAL_PACKAGE.exec(String(err.message))?.[0] : undefined;
    if (!missing) throw e;
    throw new InputError(
      missing,
      'is not installed: handing payments to Temporal needs the Temporal client',
      `install it beside this pack (npm install ${missing}@1.24.0 in the folder n8n or Node-RED loads community nodes from), then restart`,
    );
  }
}

/** @temporalio/client, loaded on first use. */
export const temporalClientModule = () => loadTemporal(() => require('@temporalio/client') as typeof import('@temporalio/client'));
