import { createTransport } from 'nodemailer';
import { portOf } from '../config/port';
import { InputError } from '../errors';
import { normalizeEmail } from '../match/normalize-keys';
import type { OutgoingMessage } from './outgoing-message';

/** An SMTP server as an operator describes it (the Node-RED send-message node; n8n has its own Send Email node). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it (587, 25). */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

export interface MailReceipt {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/**
 * The settings' names as the caller's form shows them, so an error names the field the operator sees; the core
 * knows no face's wording (the Node-RED send-message node passes its dialog's labels).
 */
export interface SmtpLabels {
  host: string;
  port: string;
  /** The switch for TLS from the first byte (SmtpSettings.secure). */
  secure: string;
  from: string;
  to: string;
}

/** The usual port for mail submission with STARTTLS. */
export const DEFAULT_SMTP_PORT = 587;

/**
 * The SMTP port as a form keeps it: blank is 587; text, trimmed, must be a port by the pack's one rule
 * (config/port.ts), since 0, "465s" or "0x1d1" sent on as 587 or read as another number would try a port the
 * operator did not give and fail with a timeout that names none. A number (the node's default, 587, or a flow
 * written by hand) is read by its decimal text, so any whole number from 1 to 65535 is taken as it always was.
 */
export function smtpPort(raw: unknown, label: string): number {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return DEFAULT_SMTP_PORT;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  const { port, reason } = text === undefined ? { port: undefined, reason: 'it is neither text nor a number' } : portOf(text);
  if (port === undefined) {
    throw new InputError(label, `"${String(raw)}" is not a TCP port (1 to 65535): ${reason}`, "enter your mail provider's submission port, 587 (STARTTLS) or 465 (TLS), or leave it blank for 587");
  }
  return port;
}

/** The parts of an address list between commas, a comma in a quoted display name not counted; undefined when a quote is left open. */
function addressParts(text: string): string[] | undefined {
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\') {
      part += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(part);
      part = '';
    } else part += c;
  }
  return quoted ? undefined : [...parts, part];
}

/**
 * One address or several, comma-separated, each bare (a@b.c) or with a display name (Shop <a@b.c>), each address
 * by the rule the pack reads every email by (normalizeEmail). A comma inside a quoted display name ("Doe, Ana"
 * <ana@shop.com>, as mail programs write a name that has one) separates nothing, as RFC 5322 and nodemailer read it.
 */
function isAddressList(text: string): boolean {
  return (addressParts(text) ?? ['']).every((part) => {
    const named = /^[^<>]*<([^<>]*)>$/.exec(part.trim());
    return normalizeEmail(named ? named[1] : part) !== undefined;
  });
}

/**
 * Sends a composed message as a plain-text email; `to` overrides the message's own recipient when set. Errors name
 * the settings by `labels`, the caller's own.
 */
export async function sendMessageByMail(
  smtp: SmtpSettings,
  message: Pick<OutgoingMessage, 'to' | 'subject' | 'text'>,
  to: string | undefined,
  labels: SmtpLabels,
): Promise<MailReceipt> {
  if (!smtp.host) throw new InputError(labels.host, 'no SMTP server is set', "enter your mail provider's SMTP host, e.g. smtp.example.com");
  if (!smtp.from) throw new InputError(labels.from, 'no sender address is set', 'enter the address messages come from, e.g. hello@yourshop.com');
  // Refused here rather than by the server, which answers after a connection and in its own words, if at all.
  if (!isAddressList(smtp.from)) throw new InputError(labels.from, `"${smtp.from}" is not an email address`, 'enter the address messages come from, e.g. hello@yourshop.com or Corner Café <hello@yourshop.com>');
  const given = to?.trim();
  if (given && !isAddressList(given)) throw new InputError(labels.to, `"${given}" is not an email address`, 'give the address to send to (several separated by commas), or leave it empty to send to the message\'s own recipient');
  const recipient = given || message.to;
  if (!recipient) throw new InputError(labels.to, 'the message has no recipient', 'give an address in this node, or compose the message with a Terminal Message node that knows the customer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user || smtp.password ? { auth: { user: smtp.user ?? '', pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    const info = await transport.sendMail({ from: smtp.from, to: recipient, subject: message.subject, text: message.text });
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    return { messageId: String(info.messageId), accepted: list(info.accepted), rejected: list(info.rejected) };
  } catch (e) {
    // TLS from the first byte to a port that speaks plain SMTP first (587, 25) fails in OpenSSL's words ("…:wrong
    // version number:…"), which name neither the switch nor the port.
    const { code, message: said } = e as { code?: unknown; message?: unknown };
    if (smtp.secure && code === 'ESOCKET' && typeof said === 'string' && /wrong version number/i.test(said)) {
      throw new InputError(labels.secure, `is on, but the server at ${smtp.host}:${smtp.port} does not start with TLS (it answered in plain SMTP, as ports 587 and 25 do, which go on with STARTTLS)`, `switch it off for port ${smtp.port}, or give the port your provider names for TLS from the start, usually 465`);
    }
    throw e;
  } finally {
    transport.close();
  }
}
