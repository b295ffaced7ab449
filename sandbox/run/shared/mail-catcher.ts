import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CaughtMail {
  /** ISO time the catcher got it. */
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** A message a flow posted to a Slack-compatible incoming webhook (`POST <slackUrl>/<name>`). */
export interface CaughtPost {
  receivedAt: string;
  /** The last part of the path: which webhook (the sandbox gives each template its own). */
  channel: string;
  /** Slack's `text` field when the body has one, else the body as it came. */
  text: string;
  body: unknown;
}

export interface MailCatcher {
  host: string;
  /** SMTP, no TLS, any login accepted: what the templates' mail steps are pointed at. */
  smtpPort: number;
  /** GET <listUrl> answers every mail received, newest first, as JSON. */
  listUrl: string;
  mails: CaughtMail[];
  /**
   * Stands in for Slack's incoming webhooks: `POST <slackUrl>/<channel>` with Slack's JSON is kept and answered
   * `ok` as Slack does; GET <slackUrl> lists the posts, newest first.
   */
  slackUrl: string;
  posts: CaughtPost[];
  close(): Promise<void>;
}

type SmtpServerModule = typeof import('smtp-server');
type MailparserModule = typeof import('mailparser');

/**
 * smtp-server and mailparser are dev dependencies: present in a clone of the repo, absent when the pack runs from
 * its installed package. Undefined then, with why, so the sandbox runs without a mail catcher and says so.
 */
export function loadMailCatcherModules(): { smtp: SmtpServerModule; parser: MailparserModule } | { missing: string } {
  try {
    return { smtp: require('smtp-server') as SmtpServerModule, parser: require('mailparser') as MailparserModule };
  } catch (e) {
    return { missing: (e as Error).message.split('\n')[0]! };
  }
}

/**
 * A local mail catcher on 127.0.0.1: a real SMTP server that keeps every mail, parsed, a Slack-compatible incoming
 * webhook (`/slack/<channel>`) for the alert templates, and an HTTP listing of both (`/mail`, `/slack`: JSON; `/`:
 * a plain page), so an operator sees a thank-you or an alert arrive without a mail or Slack account. Kept in
 * memory only, at most `keep` of each.
 */
export async function startMailCatcher(o: { smtpPort?: number; httpPort?: number; keep?: number } = {}): Promise<MailCatcher> {
  const modules = loadMailCatcherModules();
  if ('missing' in modules) throw new Error(`the mail catcher needs the smtp-server and mailparser packages (${modules.missing})`);
  const keep = o.keep ?? 500;
  const mails: CaughtMail[] = [];
  const smtp = new modules.smtp.SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'sandbox' }),
    onData: (stream, session, callback) => {
      modules.parser
        .simpleParser(stream)
        .then((parsed) => {
          mails.unshift({
            receivedAt: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: (parsed.text ?? '').replace(/\r\n/g, '\n').trimEnd(),
          });
          mails.length = Math.min(mails.length, keep);
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  smtp.on('error', () => {
    // a client that drops its connection is its own problem; the catcher keeps listening
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(o.smtpPort ?? 0, '127.0.0.1', () => resolve());
  });
  const posts: CaughtPost[] = [];
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const channel = /^\/slack\/([\w.-]+)$/.exec(path)?.[1];
    if (req.method === 'POST' && channel) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // Slack refuses a body that is not JSON; the catcher keeps it, so the operator sees what went wrong
        }
        const text = body !== null && typeof body === 'object' && typeof (body as { text?: unknown }).text === 'string' ? (body as { text: string }).text : raw;
        posts.unshift({ receivedAt: new Date().toISOString(), channel, text, body });
        posts.length = Math.min(posts.length, keep);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
      return;
    }
    if (req.method !== 'GET' || (path !== '/mail' && path !== '/slack' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /mail or /slack (JSON), / (a page); POST /slack/<channel> (a Slack incoming webhook)\n');
      return;
    }
    if (path !== '/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(path === '/mail' ? mails : posts, null, 2)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(mailPage(mails, posts));
  });
  try {
    await listen(http, o.httpPort ?? 0);
  } catch (e) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw e;
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    smtpPort,
    listUrl: `http://127.0.0.1:${httpPort}/mail`,
    mails,
    slackUrl: `http://127.0.0.1:${httpPort}/slack`,
    posts,
    close: async () => {
      http.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The listing as a page that refreshes itself, for an operator watching a thank-you or an alert arrive. */
function mailPage(mails: readonly CaughtMail[], posts: readonly CaughtPost[]): string {
  const items = mails.map((m) => `<article><h3>${escape(m.subject)}</h3><p>${escape(m.receivedAt)} · from ${escape(m.from)} to ${escape(m.to.join(', '))}</p><pre>${escape(m.text)}</pre></article>`);
  const slack = posts.map((p) => `<article><h3>#${escape(p.channel)}</h3><p>${escape(p.receivedAt)}</p><pre>${escape(p.text)}</pre></article>`);
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>Sandbox mail (${mails.length}) and Slack (${posts.length})</title>
<style>body{font:14px system-ui;margin:2em;display:grid;grid-template-columns:1fr 1fr;gap:2em}article{border-top:1px solid #ccc}pre{white-space:pre-wrap}</style>
<section><h1>Mail the sandbox's flows sent (${mails.length})</h1><p>JSON: <a href="/mail">/mail</a></p>${items.join('\n') || '<p>None yet.</p>'}</section>
<section><h1>Slack posts (${posts.length})</h1><p>JSON: <a href="/slack">/slack</a></p>${slack.join('\n') || '<p>None yet.</p>'}</section>
`;
}
