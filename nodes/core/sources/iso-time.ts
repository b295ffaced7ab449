/** Text already in the one form toISOString writes: UTC, milliseconds, a four-digit year. */
const CANONICAL = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{3}Z$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * `new Date(text).toISOString()`, or undefined when Date cannot read the text. Most processors already send that
 * exact form ("2026-03-14T10:00:00.000Z"), and for it the answer is the text itself, once its fields are in range
 * (a 30 February or a 24:00 would be rolled over by Date, so they go through Date): formatting a Date cost more
 * than any other step of normalizing a terminal result. test/core/sources/iso-time.test.ts holds it to Date.
 */
export function isoTimeOf(text: string): string | undefined {
  const m = CANONICAL.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 59) return text;
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * When a notification says it was sent (ISO text, or epoch milliseconds as Clover's `ts`), else now: the time a
 * record that names none of its own is taken at (Clover's payment, Zettle's purchase and SumUp's transaction leave
 * their times optional).
 */
export function sentAtOr(sent: unknown, clock: { now(): Date }): string {
  const at = typeof sent === 'string' ? isoTimeOf(sent.trim()) : typeof sent === 'number' && Number.isSafeInteger(sent) ? isoTimeOfMillis(sent) : undefined;
  return at ?? clock.now().toISOString();
}

function isoTimeOfMillis(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
