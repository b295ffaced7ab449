import type { z } from 'zod/v4';
import { InputError } from '../errors';

type Issue = z.core.$ZodIssue;
interface Walkable {
  _zod?: { def?: { type?: string; innerType?: Walkable; in?: Walkable; element?: Walkable; options?: Walkable[] } };
  shape?: Record<string, Walkable>;
}

/**
 * The settings an object schema takes at `path`, through defaults, optionals, arrays and transforms, and through a
 * union to its object form (a field given as a path or as an object of options).
 */
export function settingsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: Walkable | undefined = schema as unknown as Walkable;
  const unwrap = () => {
    for (;;) {
      const def: NonNullable<Walkable['_zod']>['def'] = s?._zod?.def;
      if (def?.innerType) s = def.innerType;
      else if (def?.type === 'pipe' && def.in) s = def.in;
      else if (def?.type === 'union' && !s?.shape) s = def.options?.find((o) => o.shape) ?? def.options?.[0];
      else return;
    }
  };
  unwrap();
  for (const key of path) {
    s = s?._zod?.def?.type === 'array' ? s._zod.def.element : s?.shape?.[String(key)];
    unwrap();
  }
  return s?.shape ? Object.keys(s.shape) : [];
}

/**
 * A setting the schema (strict objects) does not take, as the operator's error: its full name and the settings
 * taken there. Looked for before other issues, since a misspelt key usually leaves the right one missing too.
 * Undefined when every key is known.
 */
export function misspeltSetting(schema: z.ZodType, issues: readonly Issue[], prefix: string, what: string): InputError | undefined {
  const i = issues.find((x) => x.code === 'unrecognized_keys');
  if (!i || i.code !== 'unrecognized_keys') return undefined;
  return new InputError([prefix, ...i.path.map(String), i.keys[0]!].join('.'), `is not a setting of ${what}`, `use one of: ${settingsAt(schema, i.path).join(', ')}`);
}
