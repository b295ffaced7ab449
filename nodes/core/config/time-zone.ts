/** Whether this runtime knows `zone` as an IANA time zone (Europe/Berlin, America/New_York…). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
