import { userInfo } from 'node:os';
import { InputError } from '../../nodes/core/errors';
import { identityReport, type IdentityReport } from '../../nodes/core/identity/identity-report';
import type { OpenStore } from './store-option';

/** A customer's report, or an error that names the argument and says which store was looked in. */
export async function requireCustomer(store: OpenStore, id: string, arg: string): Promise<IdentityReport> {
  const report = await identityReport(store.db, id);
  if (!report) throw new InputError(arg, `there is no customer "${id}" in the store at ${store.where}`, 'check the id (cus_…), or name the right store with --store');
  return report;
}

/**
 * The core names its arguments as the code does ("into", "mergeId"); on the command line they are
 * "<intoCustomerId>" and so on. The problem and the fix stay as the core wrote them, unless a fix is given.
 */
export function asCliError(error: unknown, args: Record<string, string>, fixes: Record<string, string> = {}): unknown {
  if (!(error instanceof InputError) || !(error.field in args)) return error;
  const problem = error.message.slice(error.field.length + 2, error.message.lastIndexOf('. Fix: '));
  return new InputError(args[error.field]!, problem, fixes[error.field] ?? error.fix);
}

/** Who ran the command, for the merge record: --by, else the user name of this login. */
export function actorOf(by: string | undefined): string {
  if (by !== undefined) {
    if (by.trim() === '') throw new InputError('--by', 'is empty', 'give the name of whoever decided, or leave --by out');
    return by.trim();
  }
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

export function exactlyOne(positionals: string[], arg: string, example: string): string {
  if (positionals.length !== 1 || positionals[0]!.trim() === '') {
    throw new InputError(arg, positionals.length > 1 ? `only one is read, got ${positionals.length}` : 'is missing', `e.g. ${example}`);
  }
  return positionals[0]!.trim();
}
