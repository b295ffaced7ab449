import { seasonOf, WEEKDAYS, type Season } from './calendar';

export interface Preferences {
  /** Wallet or card brand used most often. */
  method: string | null;
  entryMode: string | null;
  dayOfWeek: (typeof WEEKDAYS)[number] | null;
  /** Local hour (0–23) with most payments. */
  hour: number | null;
  season: Season | null;
  /** Product category bought most (by quantity), when line items were seen. */
  category: string | null;
}

type Counter = { dimension: string; item: string; hits: number };

/** The most frequent item; ties go to the alphabetically first so every instance reports the same. */
function top(counters: readonly Counter[], dimension: string): string | null {
  let best: Counter | null = null;
  for (const c of counters) {
    if (c.dimension !== dimension || c.hits <= 0) continue;
    if (!best || c.hits > best.hits || (c.hits === best.hits && c.item < best.item)) best = c;
  }
  return best?.item ?? null;
}

export function preferencesOf(counters: readonly Counter[], hemisphere: 'north' | 'south'): Preferences {
  const bySeason = new Map<string, number>();
  for (const c of counters) {
    if (c.dimension === 'month') {
      const s = seasonOf(Number(c.item), hemisphere);
      bySeason.set(s, (bySeason.get(s) ?? 0) + c.hits);
    }
  }
  const weekday = top(counters, 'weekday');
  const hour = top(counters, 'hour');
  return {
    method: top(counters, 'method'),
    entryMode: top(counters, 'entry_mode'),
    dayOfWeek: weekday === null ? null : WEEKDAYS[Number(weekday)]!,
    hour: hour === null ? null : Number(hour),
    season: top([...bySeason].map(([item, hits]) => ({ dimension: 'season', item, hits })), 'season') as Season | null,
    category: top(counters, 'category'),
  };
}
