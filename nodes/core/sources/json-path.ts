/**
 * A small, safe reader for the JSON paths operators write in a generic source's mapping: "$.data.object.id",
 * "items[0].amount", "$['odd key'].value". Only member and index steps: no wildcards, filters or script, because
 * a mapping names one value and the payload comes from the outside world. Reads own properties only, so a path
 * such as "constructor.name" never reaches into Object.prototype.
 */
export type JsonPathStep = string | number;

export interface JsonPath {
  /** As the operator wrote it, for messages. */
  readonly text: string;
  readonly steps: readonly JsonPathStep[];
}

export class JsonPathSyntaxError extends Error {
  constructor(text: string, why: string) {
    super(`"${text}" is not a JSON path: ${why}`);
    this.name = 'JsonPathSyntaxError';
  }
}

const NAME = /^[^.[\]'"\s]+/;

export function parseJsonPath(text: string): JsonPath {
  const source = text.trim();
  if (source === '') throw new JsonPathSyntaxError(text, 'it is empty');
  let rest = source;
  const steps: JsonPathStep[] = [];
  if (rest.startsWith('$')) rest = rest.slice(1);
  else rest = `.${rest}`;
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const m = NAME.exec(rest.slice(1));
      if (!m) throw new JsonPathSyntaxError(text, `a name must follow "." (near "${rest.slice(0, 12)}")`);
      steps.push(m[0]);
      rest = rest.slice(1 + m[0].length);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      if (index) {
        steps.push(Number(index[1]));
        rest = rest.slice(index[0].length);
        continue;
      }
      const quoted = /^\[(['"])((?:\\.|(?!\1)[^\\])*)\1\]/.exec(rest);
      if (!quoted) throw new JsonPathSyntaxError(text, `brackets hold an index such as [0] or a quoted name such as ['key'] (near "${rest.slice(0, 12)}")`);
      steps.push(quoted[2]!.replace(/\\(.)/g, '$1'));
      rest = rest.slice(quoted[0].length);
    } else {
      throw new JsonPathSyntaxError(text, `expected "." or "[" (near "${rest.slice(0, 12)}")`);
    }
  }
  return { text: source, steps };
}

/** The value at `path`, or undefined when any step is missing. */
export function readJsonPath(root: unknown, path: JsonPath): unknown {
  let current: unknown = root;
  for (const step of path.steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return undefined;
      current = current[step];
    } else {
      if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}
