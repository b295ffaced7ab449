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

  it('takes a Slack incoming-webhook post per channel, answers ok as Slack does, and lists it on /slack and the page', async () => {
    const post = (channel: string, body: string) => fetch(`${catcher.slackUrl}/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
    const first = await post('high-value-alert', JSON.stringify({ text: 'Ada is now high-value: <b>$620.00</b>' }));
    assert.equal(first.status, 200);
    assert.equal(await first.text(), 'ok');
    await post('failed-payment-alert', 'not json');
    const listed = (await (await fetch(catcher.slackUrl, { signal: AbortSignal.timeout(5000) })).json()) as { channel: string; text: string }[];
    assert.deepEqual(listed.map((p) => [p.channel, p.text]), [['failed-payment-alert', 'not json'], ['high-value-alert', 'Ada is now high-value: <b>$620.00</b>']]);
    const page = await (await fetch(catcher.slackUrl.replace(/\/slack$/, '/'), { signal: AbortSignal.timeout(5000) })).text();
    assert.match(page, /#high-value-alert/);
    assert.match(page, /&lt;b&gt;\$620\.00&lt;\/b&gt;/);
    assert.equal((await fetch(`${catcher.slackUrl}/a/b`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) })).status, 404);
  });
});
