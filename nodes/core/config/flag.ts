import { InputError } from '../errors';

/**
 * The spellings a switch written as text is read by (an environment variable, a credential field holding text):
 * on or off, whatever the case and the space around. Anything else is refused rather than read as off, so a typo
 * ("ture", "flase", "prod") does not quietly leave a switch off.
 */
export interface FlagWords {
  on: readonly string[];
  off: readonly string[];
}

export const FLAG_WORDS: FlagWords = { on: ['true', '1', 'yes', 'on'], off: ['false', '0', 'no', 'off'] };

/** A switch's reading: undefined when blank (the caller's default), on or off, or `fault` for text that is neither. */
export type FlagReading = { value: boolean | undefined; fault?: undefined } | { value?: undefined; fault: string };

/**
 * `raw` as a switch by `words`. The fault says the value and every accepted spelling, in the words `meaning` gives
 * the two positions ("for a live account"), for a message that names its own field first.
 */
export function flagOf(raw: string, words: FlagWords = FLAG_WORDS, meaning: { on?: string; off?: string } = {}): FlagReading {
  const value = flagValueOf(raw, words);
  if (value !== null) return { value };
  return { fault: `"${raw.trim()}" is neither on nor off: write ${spellings(words.on)}${meaning.on ? ` ${meaning.on}` : ''}, or ${spellings(words.off)}${meaning.off ? ` ${meaning.off}` : ''}` };
}

/**
 * `raw` as a switch by `words`, whatever the case and the space around: undefined when blank, on or off, null for text
 * that is neither. The Node-RED dialogs mark a switch written as text by this function's own source
 * (resources/editor-core.js), so it uses nothing outside itself.
 */
export function flagValueOf(raw: string, words: FlagWords): boolean | undefined | null {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (words.on.includes(value)) return true;
  if (words.off.includes(value)) return false;
  return null;
}

/** An environment variable read as a switch (FLAG_WORDS unless `words`): undefined when unset or blank, else on or off, or an InputError naming it. */
export function envFlag(env: NodeJS.ProcessEnv, name: string, words: FlagWords = FLAG_WORDS, meaning: { on?: string; off?: string } = {}): boolean | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const read = flagOf(raw, words, meaning);
  if (read.fault !== undefined) throw new InputError(name, read.fault, `set ${name} to ${words.on[0]} or ${words.off[0]}, or leave it unset`);
  return read.value;
}

function spellings(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)!}`;
}
