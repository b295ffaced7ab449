/** Whether this runtime knows `zone` as an IANA time zone (Europe/Berlin, America/New_York…). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `zone` is an IANA name this runtime knows: Area/Location (Europe/Berlin, America/Argentina/Buenos_Aires,
 * Etc/GMT+5) or UTC/GMT. ICU also takes abbreviations and old Java ids (IST as Asia/Calcutta, PST, CET), which
 * stand for different zones in different places (IST: India, Ireland, Israel): those are not taken.
 */
export function isIanaTimeZone(zone: string): boolean {
  return (zone.includes('/') || zone === 'UTC' || zone === 'GMT') && isTimeZone(zone);
}
