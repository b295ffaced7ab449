import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTransport } from 'nodemailer';
import { startMailCatcher, type CaughtMail, type MailCatcher } from '../../../../sandbox/run/shared/mail-catcher';

describe('the sandbox mail catcher', { timeout: 20_000 }, () => {
  let catcher: MailCatcher;
  before(async () => {
    catcher = await startMailCatcher();
  });
  after(() => catcher.close());

  it('lists a mail sent to its SMTP port on its /mail endpoint, newest first', async () => {
    const transport = createTransport({ host: catcher.host, port: catcher.smtpPort, secure: false, ignoreTLS: true, auth: { user: 'any', pass: 'any' } });
    await transport.sendMail({ from: 'Café <hello@cafe.example>', to: 'ada@example.com', subject: 'First', text: 'one' });
    await transport.sendMail({ from: 'hello@cafe.example', to: ['ada@example.com', 'bob@example.com'], subject: 'Thank you, Ada', text: 'Thank you for your payment of ¥1,500 at Main Street.\r\nSee you soon.' });
    transport.close();
    const res = await fetch(catcher.listUrl, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const listed = (await res.json()) as CaughtMail[];
    assert.deepEqual(listed.map(({ receivedAt: _, ...m }) => m), [
      { from: 'hello@cafe.example', to: ['ada@example.com', 'bob@example.com'], subject: 'Thank you, Ada', text: 'Thank you for your payment of ¥1,500 at Main Street.\nSee you soon.' },
      { from: 'hello@cafe.example', to: ['ada@example.com'], subject: 'First', text: 'one' },
    ]);
    assert.ok(listed.every((m) => Math.abs(Date.parse(m.receivedAt) - Date.now()) < 10_000));
  });

  it('serves a page with the subjects, escaped', async () => {
    const transport = createTransport({ host: catcher.host, port: catcher.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'a@cafe.example', to: 'b@example.com', subject: '<b>bold</b>', text: 'x' });
    transport.close();
    const page = await (await fetch(catcher.listUrl.replace(/\/mail$/, '/'), { signal: AbortSignal.timeout(5000) })).text();
    assert.match(page, /&lt;b&gt;bold&lt;\/b&gt;/);
    assert.match(page, /Thank you, Ada/);
    assert.equal((await fetch(catcher.listUrl.replace(/\/mail$/, '/nothing'), { signal: AbortSignal.timeout(5000) })).status, 404);
  });
});
