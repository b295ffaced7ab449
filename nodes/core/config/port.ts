/**
 * A TCP port as an operator writes it, wherever it is typed (the worker's --webhook-port, the sandbox's port
 * variables, the port of a Temporal address, the SMTP port of Send Message): digits alone for 1 to 65535, with no
 * sign, no leading zero and no hex, exponent or decimal point, which Number() would read ("0x50" as 80, "1e3" as
 * 1000, "80.0" as 80) while the operator meant something else or mistyped. As a pattern for text a port sits in
 * (host:port); `portOf` reads a port given alone.
 */
export const PORT_PATTERN = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})';

const PORT = new RegExp(`^${PORT_PATTERN}$`);

/** A port read from what was typed: the port, or why the text is none (for a message that goes on "… is not a port:"). */
export type PortReading = { port: number; reason?: undefined } | { port?: undefined; reason: string };

/**
 * `text` as a port, read as it is: the caller trims where its face trims (a space inside or around is no digit here).
 * The reason says what is wrong in words an operator acts on; callers name their own field and fix.
 */
export function portOf(text: string): PortReading {
  if (PORT.test(text)) return { port: Number(text) };
  return { reason: portReason(text) };
}

function portReason(text: string): string {
  if (text === '') return 'it is empty';
  if (!/^\d+$/.test(text)) return 'it is not written in digits alone (no sign, space, point, exponent or 0x)';
  if (/^0+$/.test(text)) return 'port 0 is no port a server can be reached on';
  if (text.startsWith('0')) return 'it starts with a zero';
  return 'it is above 65535, the highest port';
}
