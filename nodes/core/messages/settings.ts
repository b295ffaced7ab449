import { InputError, shown } from '../errors';
import { obj } from '../json/json-values';
import { DEFAULT_LOCALE, moneyText } from '../format/money-text';
import { parseDeclineRule, type DeclineRule } from './decline-rate';
import { MESSAGE_KINDS, type MessageKind } from './outgoing-message';
import { parseQuietHours, type QuietHours } from './quiet-hours';

/** The most recent payments a high-value alert lists (recentPayments: a whole number from 0). */
export const MAX_RECENT_PAYMENTS = 50;

/** The messages that go to the shop's own people at the address given (Alert to), not to a customer. */
export const ALERT_KINDS: readonly MessageKind[] = ['high-value-alert', 'failed-payments'];
/**
 * An alert's recipients as the run reads them: split at ALERT_ADDRESS_SEPARATOR, each trimmed, each matching
 * ALERT_ADDRESS_PATTERN. The build writes both into the Node-RED dialogs' resources/editor-core.js, so the Message
 * dialog marks what the run refuses.
 */
export const ALERT_ADDRESS_SEPARATOR = /[,;]/;
export const ALERT_ADDRESS_PATTERN = /^[^@\s]+@[^@\s]+$/;

/** What an operator sets on a message node, as every face hands it over (text fields may be empty). */
export interface MessageSettingsInput {
  kind: string;
  shopName?: string;
  locale?: string;
  /** Alerts: who gets them (sales, operations). Customer messages: left empty, the customer's address is used. */
  to?: string;
  /** JSON object or "id=Name" lines: a terminal location's id → the name a customer knows it by. */
  locationNames?: string | Record<string, string>;
  quietHours?: Partial<QuietHours> | null;
  declines?: Partial<DeclineRule>;
  recentPayments?: number;
}

export interface MessageSettings {
  kind: MessageKind;
  shopName: string;
  locale: string;
  to: string;
  locationNames: Record<string, string>;
  quietHours: QuietHours | null;
  declines: DeclineRule;
  recentPayments: number;
}

/** A location's name as a customer reads it: whatever the operator's JSON held, as text. */
const namesOf = (given: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));

/**
 * The first line of Locations' "id=Name" text that names no location (no "=" after an id), trimmed, or undefined.
 * It uses nothing outside itself: the build writes its source into the Node-RED dialogs' resources/editor-core.js.
 */
export function unnamedLocationLine(text: string): string | undefined {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '' && l.indexOf('=') <= 0);
}

function parseLocationNames(input: MessageSettingsInput['locationNames']): Record<string, string> {
  if (!input) return {};
  const given = obj(input);
  if (given) return namesOf(given);
  if (typeof input !== 'string') throw new InputError('locationNames', 'is neither a JSON object nor text', 'write {"tml_123": "Main Street"} or one id=Name per line');
  const text = input.trim();
  if (!text) return {};
  if (text.startsWith('{')) {
    try {
      const parsed = obj(JSON.parse(text));
      if (parsed) return namesOf(parsed);
    } catch {
      // reported below
    }
    throw new InputError('locationNames', 'is not a JSON object', 'write {"tml_123": "Main Street"} or one id=Name per line');
  }
  const unnamed = unnamedLocationLine(text);
  if (unnamed !== undefined) throw new InputError('locationNames', `"${unnamed}" has no "="`, 'write one location id=Name per line, e.g. tml_123=Main Street');
  return Object.fromEntries(text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const eq = line.indexOf('=');
    return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
  }));
}

export function parseMessageSettings(input: MessageSettingsInput): MessageSettings {
  const named = String(input.kind ?? '').trim().toLowerCase();
  if (!(MESSAGE_KINDS as readonly string[]).includes(named)) {
    throw new InputError('kind', `"${input.kind}" is not a message this node composes`, `pick one of ${MESSAGE_KINDS.join(', ')}`);
  }
  const kind = named as MessageKind;
  const locale = input.locale?.trim() || DEFAULT_LOCALE;
  moneyText({ minor: 0, currency: 'USD' }, { locale }); // an unknown locale is reported now, not at the first payment
  const to = input.to?.trim() ?? '';
  // Each address of a list ("sales@shop.com, ops@shop.com"), so one mistyped recipient is named, not mailed.
  const wrong = ALERT_KINDS.includes(kind) && to ? to.split(ALERT_ADDRESS_SEPARATOR).map((a) => a.trim()).find((a) => !ALERT_ADDRESS_PATTERN.test(a)) : undefined;
  if (wrong !== undefined) {
    throw new InputError('to', `"${wrong}" is not an email address`, 'give the address alerts go to, e.g. sales@yourshop.com (several separated by commas), or leave it empty and set the recipient in the mail step');
  }
  const recent = input.recentPayments ?? 5;
  if (!Number.isInteger(recent) || recent < 0 || recent > MAX_RECENT_PAYMENTS) {
    throw new InputError('recentPayments', `${shown(recent)} is not a count from 0 to ${MAX_RECENT_PAYMENTS}`, 'use a whole number such as 5');
  }
  return {
    kind,
    shopName: input.shopName?.trim() || 'our shop',
    locale,
    to,
    locationNames: parseLocationNames(input.locationNames),
    quietHours: parseQuietHours(input.quietHours),
    declines: parseDeclineRule(input.declines),
    recentPayments: recent,
  };
}

/** The form field each setting comes from, where the settings name it otherwise. */
const FORM_FIELD_OF: Readonly<Record<string, string>> = {
  'quietHours.start': 'quietStart',
  'quietHours.end': 'quietEnd',
  'quietHours.timeZone': 'timeZone',
  'declines.per': 'declinesPer',
  'declines.windowMinutes': 'windowMinutes',
  'declines.minDeclines': 'minDeclines',
  'declines.minRate': 'minRate',
};

/**
 * The node form's fields, named the same in n8n and Node-RED (quietStart, quietEnd, timeZone, declinesPer,
 * windowMinutes, minDeclines, minRate…), as settings: both faces hand their form here. A wrong field is named by
 * `labels` (form field → the label the face's editor shows it under).
 */
export function messageSettingsFromForm(form: Record<string, unknown>, labels: Readonly<Record<string, string>> = {}): MessageSettings {
  try {
    return settingsOfForm(form);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const field = FORM_FIELD_OF[e.field] ?? e.field;
    throw new InputError(labels[field] ?? field, e.problem, e.fix);
  }
}

function settingsOfForm(form: Record<string, unknown>): MessageSettings {
  // A field may be an expression (n8n) that resolved to a number, a list or an object. Dropping those would leave a
  // default in place without a word (no recipient, "our shop", a thank-you instead of the alert asked for): a number
  // or boolean is read as its text, a list of addresses as one list, and anything else is refused by name.
  const text = (name: string): string | undefined => {
    const v = form[name];
    if (v === undefined || v === null || typeof v === 'string') return v ?? undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (name === 'to' && Array.isArray(v) && v.every((a) => typeof a === 'string')) return v.join(', ');
    throw new InputError(name, `is ${Array.isArray(v) ? 'a list' : 'an object'}, not text`, `map it to one value${name === 'to' ? ', or a list of addresses' : ''} of the item, not the object that holds it`);
  };
  // A number as text is read as the number; anything else is passed on as given, so its refusal shows what was typed.
  const num = (name: string) => {
    const v = form[name];
    if (v === '' || v === undefined || v === null) return undefined;
    return (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v) as number;
  };
  const names = form.locationNames;
  return parseMessageSettings({
    kind: text('kind') ?? 'thank-you',
    shopName: text('shopName'),
    locale: text('locale'),
    to: text('to'),
    // An object is what the field's JSON means, so an expression that hands over the object itself is taken too.
    locationNames: names !== null && typeof names === 'object' ? (names as Record<string, string>) : text('locationNames'),
    quietHours: { start: text('quietStart'), end: text('quietEnd'), timeZone: text('timeZone') },
    declines: { per: text('declinesPer') as 'terminal' | 'location' | undefined, windowMinutes: num('windowMinutes'), minDeclines: num('minDeclines'), minRate: num('minRate') },
    recentPayments: num('recentPayments'),
  });
}
