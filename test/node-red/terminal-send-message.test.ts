import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import registerSend from '../../nodes/node-red/terminal-send-message';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { startSmtpCatcher } from '../support/smtp-catcher';
import { fakeRed, type FakeNode } from './support/fake-red';

describe('Node-RED: terminal send message (in a stand-in for Node-RED, to a real SMTP server)', { timeout: 30_000 }, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let red: ReturnType<typeof fakeRed>;
  before(async () => {
    smtp = await startSmtpCatcher();
    red = fakeRed();
    registerSend(red.RED);
  });
  after(() => smtp.close());

  const message = (to: string) => ({ payload: { message: { to, subject: 'Thank you for your visit', text: 'See you soon at Corner Café.' } } });
  const send = (node: FakeNode, msg: NodeMessage) =>
    new Promise<{ sent: NodeMessage[]; error?: Error }>((resolve) => {
      const sent: NodeMessage[] = [];
      node.input!(msg, (m) => sent.push(m), (error) => resolve({ sent, error }));
    });
  const mailNode = (id: string, port: unknown) => red.create('terminal-send-message', { id, host: smtp.host, port, secure: false, from: 'hello@corner.example' });

  it('sends to the port it was given', async () => {
    const { sent, error } = await send(mailNode('given', String(smtp.port)), message('ana@example.com'));
    assert.equal(error, undefined);
    assert.deepEqual((sent[0]!.payload as { sent: { accepted: string[] } }).sent.accepted, ['ana@example.com']);
    await smtp.waitFor('the mail to ana', () => smtp.to('ana@example.com').length === 1);
    assert.equal(smtp.to('ana@example.com')[0]!.subject, 'Thank you for your visit');
  });

  it('refuses a port that is not a TCP port by name, sending nothing, instead of trying 587', async () => {
    for (const [i, port] of ['0', '-25', '465s', '70000', '2.5'].entries()) {
      const { sent, error } = await send(mailNode(`wrong-${i}`, port), message(`wrong-${i}@example.com`));
      assert.match(String(error?.message), /^Port: ".*" is not a TCP port \(1 to 65535\): [^.]+\. Fix: .*587 \(STARTTLS\) or 465 \(TLS\)/, port);
      assert.equal(sent.length, 0);
      assert.deepEqual(smtp.to(`wrong-${i}@example.com`), []);
    }
  });

  it('names its TLS switch when it is on for a server that speaks plain SMTP first', async () => {
    const node = red.create('terminal-send-message', { id: 'tls', host: smtp.host, port: String(smtp.port), secure: true, from: 'hello@corner.example' });
    const { sent, error } = await send(node, message('tls@example.com'));
    assert.match(String(error?.message), /^TLS from the start \(port 465\): is on, but the server at .* does not start with TLS .*\. Fix: switch it off for port \d+, or give the port your provider names for TLS from the start, usually 465$/);
    assert.equal(sent.length, 0);
  });
});

