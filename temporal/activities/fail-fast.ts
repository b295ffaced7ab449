import { ApplicationFailure } from '@temporalio/common';
import type { InputError } from '../../nodes/core/errors';

/** The failure type the workflow's retry policy lists as non-retryable. */
export const INPUT_ERROR_TYPE = 'InputError';

/**
 * A bad event stays bad however often it is retried, so an InputError ends the workflow at once, keeping the
 * core's message (field, problem and fix) for whoever reads the failure. Anything else (a CRM that is down, a
 * locked store) is left as it is, for Temporal to retry. Matched by name, not class, so an InputError from a
 * second copy of the core (another package version in node_modules) is recognised as well.
 */
export async function failFastOnInputError<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error && e.name === INPUT_ERROR_TYPE) {
      const { field, fix } = e as InputError;
      throw ApplicationFailure.create({ type: INPUT_ERROR_TYPE, message: e.message, nonRetryable: true, details: [{ field, fix }] });
    }
    throw e;
  }
}
