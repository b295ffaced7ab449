import { InputError, notOneOfItsChoices, shown } from '../../core/errors';
import type { NodeRedApi } from './red-api';

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * A select's saved value: blank for `fallback`, else one of `options`. Anything else (a flow edited by hand, or
 * saved by a newer version) is refused by the row's label with the options as the dialog words them
 * (<type>.option.<setting>.<value>; by value without RED), since running the fallback instead would do what the
 * operator did not choose.
 */
export function formChoice<T extends string>(RED: NodeRedApi | undefined, type: string, setting: string, label: string, value: unknown, options: readonly T[], fallback: T): T {
  if (blank(value)) return fallback;
  if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
  const words = options.map((o) => `"${RED ? RED._(`${type}.option.${setting}.${o}`) : o}"`).join(' or ');
  throw notOneOfItsChoices(label, value, `open this node, choose ${words} under ${label} and deploy`);
}

/** A checkbox's saved value: true or false (also as text), blank for off; anything else is refused by its label. */
export function formCheckbox(value: unknown, label: string): boolean {
  if (blank(value)) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InputError(label, `"${shown(value)}" is not on or off`, `open this node, tick or clear ${label} and deploy`);
}
