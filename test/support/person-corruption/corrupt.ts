import { deleteChar, deleteSpace, insertChar, insertSpace, ocrConfuse, phoneticSpelling, substituteChar, swapWords, transposeChars } from './edits';
import { FIELD_KEYS, FIELD_MODELS, FIELD_SWAPS, ERROR_KINDS, type CorruptionLimits, type ErrorKind, type FieldKey } from './error-model';
import { NICKNAMES, ADDRESS_2, LOCALITIES } from './name-material';
import { birthDate, daysIn, email, givenName, isoDate, locality, phone, street, streetNumber, surname, type Person } from './population';
import type { Random } from './random';

/** What was done to a duplicate, for the generator's own tests and for reading a bench failure. */
export interface Corruption {
  /** One entry per field drawn (FEBRL select_prob), before the number of edits on it is drawn. */
  selected: FieldKey[];
  /** Every edit applied, in order. `newValue`: the field was empty and got a value (FEBRL new_val_prob). */
  edits: { field: FieldKey; kind: ErrorKind | 'newValue' | 'moved' }[];
  /** Field swaps applied (FEBRL field_swap_prob). */
  swaps: [FieldKey, FieldKey][];
}

type Values = Record<FieldKey, string>;

const KIND_WEIGHTS: Readonly<Record<FieldKey, { kinds: ErrorKind[]; weights: number[] }>> = Object.fromEntries(
  FIELD_KEYS.map((f) => {
    const kinds = ERROR_KINDS.filter((k) => (FIELD_MODELS[f].kinds[k] ?? 0) > 0);
    return [f, { kinds, weights: kinds.map((k) => FIELD_MODELS[f].kinds[k]!) }];
  }),
) as never;
const SELECT_WEIGHTS = FIELD_KEYS.map((f) => FIELD_MODELS[f].select);

function otherValue(rng: Random, current: string, draw: () => string): string {
  for (let i = 0; i < 20; i++) {
    const v = draw();
    if (v !== current) return v;
  }
  return `${current}x`;
}

/** A different, valid date: one digit slipped (substitute) or day and month swapped (transpose). */
function dateEdit(rng: Random, v: string, kind: 'substitute' | 'transpose'): string | undefined {
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  const valid = (yy: number, mm: number, dd: number) => yy >= 1900 && yy <= 2025 && mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysIn(yy, mm);
  if (kind === 'transpose') {
    if (d !== m && valid(y, d, m)) return isoDate(y, d, m);
    const dd = Number(String(d).padStart(2, '0').split('').reverse().join(''));
    if (dd !== d && valid(y, m, dd)) return isoDate(y, m, dd);
    const yy = Number(`${String(y).slice(0, 2)}${String(y)[3]}${String(y)[2]}`);
    return yy !== y && valid(yy, m, d) ? isoDate(yy, m, d) : undefined;
  }
  const digits = v.replace(/-/g, '');
  for (let attempt = 0; attempt < 10; attempt++) {
    const next = substituteChar(rng, digits);
    if (!next) return undefined;
    const [ny, nm, nd] = [Number(next.slice(0, 4)), Number(next.slice(4, 6)), Number(next.slice(6, 8))];
    if (valid(ny, nm, nd)) return isoDate(ny, nm, nd);
  }
  return undefined;
}

/** One edit of one field, or undefined when this kind of edit does not apply to the value. */
function edit(rng: Random, field: FieldKey, kind: ErrorKind, vals: Values, person: Person): string | undefined {
  const v = vals[field];
  switch (kind) {
    case 'missing':
      return '';
    case 'valueSwap':
      switch (field) {
        case 'given_name': return otherValue(rng, v, () => givenName(rng, person.female));
        case 'surname': return otherValue(rng, v, () => surname(rng));
        case 'street_number': return otherValue(rng, v, () => streetNumber(rng));
        case 'address_1': return otherValue(rng, v, () => street(rng));
        case 'address_2': return otherValue(rng, v, () => rng.pick(ADDRESS_2));
        case 'suburb': return otherValue(rng, v, () => rng.pick(LOCALITIES)[0]);
        case 'postcode': return otherValue(rng, v, () => rng.pick(LOCALITIES)[1]);
        case 'state': return otherValue(rng, v, () => rng.pick(LOCALITIES)[2]);
        case 'date_of_birth': return otherValue(rng, v, () => birthDate(rng));
        case 'phone_number': return otherValue(rng, v, () => phone(rng, vals.state || person.state));
        case 'email': return otherValue(rng, v, () => email(rng, person.given_name, person.surname));
      }
      return undefined;
    case 'substitute':
    case 'transpose':
      if (field === 'date_of_birth') return dateEdit(rng, v, kind);
      return kind === 'substitute' ? substituteChar(rng, v) : transposeChars(rng, v);
    case 'insert': return insertChar(rng, v);
    case 'delete': return deleteChar(rng, v);
    case 'wordSwap': return swapWords(rng, v);
    case 'spaceInsert': return insertSpace(rng, v);
    case 'spaceDelete': return deleteSpace(rng, v);
    case 'ocr': return ocrConfuse(rng, v);
    case 'phonetic': return phoneticSpelling(rng, v);
    case 'variant': {
      const nicks = field === 'given_name' ? NICKNAMES[v] : undefined;
      return nicks ? rng.pick(nicks) : phoneticSpelling(rng, v);
    }
  }
}

/** Moves the person: another number, street and locality (FEBRL's value swap of the street, taken as a move). */
function move(rng: Random, vals: Values): void {
  const [sub, pc, st] = otherLocality(rng, vals.suburb);
  Object.assign(vals, { street_number: streetNumber(rng), address_1: street(rng), address_2: '', suburb: sub, postcode: pc, state: st });
  if (vals.phone_number && !vals.phone_number.startsWith('04')) vals.phone_number = phone(rng, st);
}

function otherLocality(rng: Random, suburb: string): readonly [string, string, string] {
  for (let i = 0; i < 20; i++) {
    const l = locality(rng);
    if (l[0] !== suburb) return l;
  }
  return LOCALITIES[0]!;
}

/** A corrupted copy of `person` under FEBRL's model (see error-model.ts), and what was done to it. */
export function corrupt(rng: Random, person: Person, limits: CorruptionLimits): { values: Values; corruption: Corruption } {
  const vals = Object.fromEntries(FIELD_KEYS.map((f) => [f, person[f]])) as Values;
  const corruption: Corruption = { selected: [], edits: [], swaps: [] };
  const used = new Map<FieldKey, number>();
  let budget = rng.int(1, limits.maxPerRecord);
  let guard = 0;
  while (budget > 0 && guard++ < 100) {
    const field = FIELD_KEYS[rng.weighted(SELECT_WEIGHTS)]!;
    const room = limits.maxPerField - (used.get(field) ?? 0);
    if (room <= 0) continue;
    corruption.selected.push(field);
    const n = rng.int(1, Math.min(room, budget));
    for (let k = 0; k < n; k++) {
      budget--;
      used.set(field, (used.get(field) ?? 0) + 1);
      if (!vals[field]) {
        // FEBRL new_val_prob: an empty field that is picked gets a value, as a re-typed record would
        const fresh = edit(rng, field, 'valueSwap', vals, person);
        if (fresh) {
          vals[field] = fresh;
          corruption.edits.push({ field, kind: 'newValue' });
        }
        break;
      }
      const { kinds, weights } = KIND_WEIGHTS[field];
      for (let attempt = 0; attempt < 12; attempt++) {
        const kind = kinds[rng.weighted(weights)]!;
        if (kind === 'valueSwap' && field === 'address_1') {
          move(rng, vals);
          corruption.edits.push({ field, kind: 'moved' });
          break;
        }
        const next = edit(rng, field, kind, vals, person);
        // a second edit must not undo the first (two day/month swaps give the original back)
        if (next === undefined || next === vals[field] || next === person[field]) continue;
        vals[field] = next;
        corruption.edits.push({ field, kind });
        break;
      }
      if (!vals[field]) {
        used.set(field, limits.maxPerField); // a field made missing takes no further edits
        break;
      }
    }
  }
  for (const [a, b, p] of FIELD_SWAPS) {
    if (rng.chance(p) && vals[a] !== vals[b]) {
      [vals[a], vals[b]] = [vals[b], vals[a]];
      corruption.swaps.push([a, b]);
    }
  }
  return { values: vals, corruption };
}
