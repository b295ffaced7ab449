import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendMessageByMail, smtpPort, type SmtpLabels, type SmtpSettings } from '../../../nodes/core/messages/send-mail';
import { startSmtpCatcher } from '../../support/smtp-catcher';

/** Labels no face uses, so a field named by the core's own wording would show. */
const LABELS: SmtpLabels = { host: 'Mail server', port: 'Server port', secure: 'Implicit TLS', from: 'Sender', to: 'Recipient' };
const SMTP: SmtpSettings = { host: 'smtp.example.com', port: 587, secure: false, from: 'hello@shop.example' };
const MESSAGE = { to: 'ana@example.com', subject: 'Thank you', text: 'See you soon.' };

describe('sendMessageByMail and smtpPort name each setting by the label the caller gives', { timeout: 10_000 }, () => {
  it('refuses a port by the given label', () => {
    assert.throws(() => smtpPort('465s', LABELS.port), (e: Error) => e.name === 'InputError' && e.message.startsWith('Server port: "465s" is not a TCP port'));
    assert.equal(smtpPort('', LABELS.port), 587);
  });

  it('refuses a missing server, a bad sender and a bad or missing recipient by the given labels, before connecting', async () => {
    const refused = async (smtp: SmtpSettings, message: typeof MESSAGE, to: string | undefined) =>
      sendMessageByMail(smtp, message, to, LABELS).then(() => 'sent', (e: Error) => e.message);
    assert.match(await refused({ ...SMTP, host: '' }, MESSAGE, undefined), /^Mail server: no SMTP server is set\. Fix: /);
    assert.match(await refused({ ...SMTP, from: '' }, MESSAGE, undefined), /^Sender: no sender address is set\. Fix: /);
    assert.match(await refused({ ...SMTP, from: 'not an address' }, MESSAGE, undefined), /^Sender: "not an address" is not an email address\. Fix: /);
    assert.match(await refused(SMTP, MESSAGE, 'not an address'), /^Recipient: "not an address" is not an email address\. Fix: /);
    assert.match(await refused(SMTP, { ...MESSAGE, to: '' }, undefined), /^Recipient: the message has no recipient\. Fix: /);
  });

  it('takes a display name with a comma in quotes ("Doe, Ana" <…>) as one address, sending to each recipient over SMTP', async () => {
    const catcher = await startSmtpCatcher();
    try {
      const smtp = { ...SMTP, host: catcher.host, port: catcher.port, from: '"Café Lumen, Paris" <hello@shop.example>' };
      const receipt = await sendMessageByMail(smtp, MESSAGE, '"Duarte, Ines" <ines@example.com>, ops@example.com', LABELS);
      assert.deepEqual(receipt.accepted, ['ines@example.com', 'ops@example.com']);
      await catcher.waitFor('the mail to both', () => catcher.to('ops@example.com').length === 1);
      assert.deepEqual(catcher.to('ines@example.com').map((m) => [m.from, m.to, m.subject]), [['hello@shop.example', ['ines@example.com', 'ops@example.com'], 'Thank you']]);
      // A quote left open is no address list, whatever its commas.
      const open = await sendMessageByMail(smtp, MESSAGE, '"Duarte, Ines <ines@example.com>', LABELS).then(() => 'sent', (e: Error) => e.message);
      assert.match(open, /^Recipient: ""Duarte, Ines <ines@example.com>" is not an email address\. Fix: /);
    } finally {
      await catcher.close();
    }
  });

  it('says to switch TLS from the start off when the server speaks plain SMTP first, rather than OpenSSL\u2019s "wrong version number"', async () => {
    const catcher = await startSmtpCatcher();
    try {
      const smtp = { ...SMTP, host: catcher.host, port: catcher.port, secure: true };
      const said = await sendMessageByMail(smtp, MESSAGE, undefined, LABELS).then(() => 'sent', (e: Error) => `${e.name}: ${e.message}`);
      assert.equal(said, `InputError: Implicit TLS: is on, but the server at ${catcher.host}:${catcher.port} does not start with TLS (it answered in plain SMTP, as ports 587 and 25 do, which go on with STARTTLS). Fix: switch it off for port ${catcher.port}, or give the port your provider names for TLS from the start, usually 465`);
      assert.deepEqual(catcher.to('ana@example.com'), []);
    } finally {
      await catcher.close();
    }
  });
});
