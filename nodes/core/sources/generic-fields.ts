import type { FieldSpec } from './generic-config';
import { readJsonPath } from './json-path';

export type Scalar = string | number | boolean;

/** A value the mapping found, with the path it came from (for messages). */
export interface Found {
  value: Scalar;
  /** The gateway's own value, before the operator's map. */
  raw: Scalar;
  where: string;
}

/**
 * The first path that holds a value (else the template, else the default), through the operator's value map.
 * With a map, a value it does not name counts as absent: the map is the list of values the operator accepts.
 */
export function readField(root: unknown, spec: FieldSpec | undefined, name: string): Found | undefined {
  if (!spec) return undefined;
  let found: Found | undefined;
  for (const path of spec.paths) {
    const value = readJsonPath(root, path);
    if (isScalar(value)) {
      found = { value, raw: value, where: path.text };
      break;
    }
  }
  if (!found && spec.template) {
    const parts: string[] = [];
    for (const part of spec.template) {
      const value = typeof part === 'string' ? part : readJsonPath(root, part);
      if (!isScalar(value)) {
        parts.length = 0;
        break;
      }
      parts.push(String(value));
    }
    if (parts.length > 0) found = { value: parts.join(''), raw: parts.join(''), where: spec.text };
  }
  if (found && spec.map) {
    const key = String(found.value);
    const map = spec.map;
    // Own keys only: a value such as "constructor" is not one the operator mapped.
    const own = (k: string) => (Object.hasOwn(map, k) ? map[k] : undefined);
    const mapped = own(key) ?? own(key.toLowerCase()) ?? own(key.toUpperCase());
    found = mapped === undefined ? undefined : { ...found, value: mapped };
  }
  if (!found && spec.default !== undefined) found = { value: spec.default, raw: spec.default, where: `mapping.${name}.default` };
  return found;
}

export const isScalar = (v: unknown): v is Scalar => (typeof v === 'string' && v.trim() !== '') || typeof v === 'number' || typeof v === 'boolean';
export const asText = (f: Found | undefined): string | undefined => (f ? String(f.value) : undefined);

export type FieldReader = (name: string, spec: FieldSpec | undefined) => Found | undefined;
