import type { Random } from './random';

/**
 * Character-level corruptions of one value. Each returns the value changed, or undefined when the edit does
 * not apply to this value (too short, nothing to swap), so the caller can draw another.
 */

const KEY_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Keys next to each key on a QWERTY keyboard: typing slips land on a neighbour far more often than elsewhere. */
const NEIGHBOURS: ReadonlyMap<string, string> = (() => {
  const at = new Map<string, [number, number]>();
  KEY_ROWS.forEach((row, r) => [...row].forEach((ch, c) => at.set(ch, [r, c])));
  const out = new Map<string, string>();
  for (const [ch, [r, c]] of at) {
    let near = '';
    for (const [other, [r2, c2]] of at) {
      if (other !== ch && Math.abs(r - r2) <= 1 && Math.abs(c2 - c) <= 1) near += other;
    }
    out.set(ch, near);
  }
  return out;
})();

/** FEBRL's keyboard model: 40 % same-row neighbour, 30 % same-column neighbour, else any character. */
function slip(rng: Random, ch: string, digits: boolean): string {
  const near = NEIGHBOURS.get(ch);
  if (near && rng.chance(0.7)) {
    const same = [...near].filter((n) => digits === /\d/.test(n));
    if (same.length) return rng.pick(same);
  }
  const pool = digits ? '0123456789' : 'abcdefghijklmnopqrstuvwxyz';
  let out = ch;
  while (out === ch) out = pool[rng.int(0, pool.length - 1)]!;
  return out;
}

/**
 * Where in the value a typing error falls. Pollock & Zamora (1984) found the first letter wrong in only 7.8 % of
 * misspellings; elsewhere uniform.
 */
function position(rng: Random, length: number): number {
  if (length <= 1 || rng.chance(0.078)) return 0;
  return rng.int(1, length - 1);
}

export function insertChar(rng: Random, v: string): string | undefined {
  if (!v) return undefined;
  const i = position(rng, v.length + 1);
  const digits = /^\d+$/.test(v);
  const near = v[Math.min(i, v.length - 1)]!;
  return v.slice(0, i) + slip(rng, /[a-z0-9]/.test(near) ? near : 'e', digits) + v.slice(i);
}

export function deleteChar(rng: Random, v: string): string | undefined {
  if (v.length < 2) return undefined;
  const i = position(rng, v.length);
  return v.slice(0, i) + v.slice(i + 1);
}

export function substituteChar(rng: Random, v: string): string | undefined {
  const letters = [...v].map((c, i) => (/[a-z0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);
  if (!letters.length) return undefined;
  let i = position(rng, v.length);
  if (!/[a-z0-9]/.test(v[i]!)) i = rng.pick(letters);
  return v.slice(0, i) + slip(rng, v[i]!, /\d/.test(v[i]!)) + v.slice(i + 1);
}

export function transposeChars(rng: Random, v: string): string | undefined {
  const spots: number[] = [];
  for (let i = 0; i + 1 < v.length; i++) if (v[i] !== v[i + 1] && v[i] !== ' ' && v[i + 1] !== ' ') spots.push(i);
  if (!spots.length) return undefined;
  const i = rng.pick(spots);
  return v.slice(0, i) + v[i + 1] + v[i] + v.slice(i + 2);
}

export function swapWords(rng: Random, v: string): string | undefined {
  const w = v.split(' ');
  if (w.length < 2) return undefined;
  const i = rng.int(0, w.length - 2);
  [w[i], w[i + 1]] = [w[i + 1]!, w[i]!];
  return w.join(' ');
}

export function insertSpace(rng: Random, v: string): string | undefined {
  if (v.length < 4) return undefined;
  const i = rng.int(2, v.length - 2);
  if (v[i] === ' ' || v[i - 1] === ' ') return undefined;
  return `${v.slice(0, i)} ${v.slice(i)}`;
}

export function deleteSpace(rng: Random, v: string): string | undefined {
  const spaces = [...v].map((c, i) => (c === ' ' ? i : -1)).filter((i) => i >= 0);
  if (!spaces.length) return undefined;
  const i = rng.pick(spaces);
  return v.slice(0, i) + v.slice(i + 1);
}

/**
 * Characters a scanner or a tired eye reads as others (the OCR error model of Christen & Pudjijono's generator
 * and GeCo: substitutions of similar shapes, one character for two and two for one).
 */
const OCR_PAIRS: readonly (readonly [string, string])[] = [
  ['o', '0'], ['l', '1'], ['i', '1'], ['s', '5'], ['b', '8'], ['g', '9'], ['z', '2'], ['rn', 'm'], ['cl', 'd'], ['vv', 'w'],
  ['e', 'c'], ['h', 'b'], ['u', 'v'], ['ri', 'n'], ['a', 'o'], ['7', '1'], ['6', 'b'], ['q', '9'],
];

/** One OCR confusion surely, and each further confusable spot misread with `perCharFail` (dsgen's ocr_fail_prob). */
export function ocrConfuse(rng: Random, v: string, perCharFail = 0.05): string | undefined {
  const spots: [number, string, string][] = [];
  for (const [a, b] of OCR_PAIRS) {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (let i = v.indexOf(from); i >= 0; i = v.indexOf(from, i + 1)) spots.push([i, from, to]);
    }
  }
  if (!spots.length) return undefined;
  spots.sort((x, y) => y[0] - x[0]); // right to left, so earlier indices stay valid
  const first = rng.int(0, spots.length - 1);
  let out = v;
  let lastStart = Infinity;
  spots.forEach(([i, from, to], k) => {
    if (k !== first && !rng.chance(perCharFail)) return;
    if (i + from.length > lastStart) return; // overlaps an edit already made
    out = out.slice(0, i) + to + out.slice(i + from.length);
    lastStart = i;
  });
  return out === v ? undefined : out;
}

/** Spellings that sound alike in English, in both directions (a clerk writing down a name said aloud). */
const SOUNDS_ALIKE: readonly (readonly [RegExp, string])[] = [
  [/ph/, 'f'], [/^f/, 'ph'], [/ck/, 'k'], [/c(?=[aou])/, 'k'], [/k(?=[aou])/, 'c'], [/ie$/, 'y'], [/y$/, 'ie'], [/ey$/, 'y'],
  [/ou/, 'ow'], [/th/, 't'], [/^mc/, 'mac'], [/^mac/, 'mc'], [/son$/, 'sen'], [/sen$/, 'son'], [/z/, 's'], [/(?<=[aeiou])s(?=[aeiou])/, 'z'],
  [/ei/, 'ie'], [/ie(?!$)/, 'ei'], [/([bdfglmnprst])\1/, '$1'], [/(?<=[aeiou])([lnrt])(?=[aeiouy])/, '$1$1'], [/ae/, 'e'], [/oo/, 'u'],
  [/ough/, 'o'], [/wr/, 'r'], [/kn/, 'n'], [/tch/, 'ch'], [/x/, 'ks'], [/qu/, 'kw'], [/ine$/, 'ene'], [/ee/, 'ea'], [/ea/, 'ee'],
  [/(?<=.)i(?=[^aeiou]$)/, 'y'], [/(?<=.)y(?=[^aeiou])/, 'i'], [/er$/, 'a'], [/a$/, 'er'], [/ai/, 'ay'], [/ay/, 'ai'],
];

export function phoneticSpelling(rng: Random, v: string): string | undefined {
  const fits = SOUNDS_ALIKE.filter(([re]) => re.test(v));
  if (!fits.length) return undefined;
  const [re, to] = rng.pick(fits);
  const out = v.replace(re, to);
  return out === v ? undefined : out;
}
