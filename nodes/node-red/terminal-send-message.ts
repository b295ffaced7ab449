import { sendMessageByMail, smtpPort, type SmtpLabels } from '../core/messages/send-mail';
import type { OutgoingMessage } from '../core/messages/outgoing-message';
import { InputError } from '../core/errors';
import type { DoneFn, NodeDef, NodeMessage, NodeRedApi, RuntimeNode, SendFn } from './shared/red-api';
import { formCheckbox } from './shared/form-choice';
import { shortText } from './shared/short-text';

/** The settings as the dialog labels them (locales/en-US/terminal-send-message.json). */
const FORM_LABELS: SmtpLabels = { host: 'SMTP host', port: 'Port', secure: 'TLS from the start (port 465)', from: 'From', to: 'To' };

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * Sends msg.payload.message (from terminal message) as an email over SMTP with nodemailer. The pack's own node
 * rather than node-red-node-email: it takes the composed message as it is, needs no extra package, and the
 * templates' tests can prove it against a real SMTP server.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType(
    'terminal-send-message',
    function TerminalSendMessage(this: RuntimeNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      this.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
        const run = async () => {
          const message = (msg.payload as { message?: OutgoingMessage } | undefined)?.message;
          if (!message || typeof message.text !== 'string') {
            throw new InputError('payload.message', 'this message carries no composed message', 'put a terminal message node before this one');
          }
          const receipt = await sendMessageByMail(
            {
              host: String(def.host ?? ''),
              port: smtpPort(def.port, FORM_LABELS.port),
              secure: formCheckbox(def.secure, FORM_LABELS.secure),
              user: this.credentials?.user,
              password: this.credentials?.password,
              from: String(def.from ?? ''),
            },
            message,
            typeof def.to === 'string' ? def.to : undefined,
            FORM_LABELS,
          );
          this.status({ fill: 'green', shape: 'dot', text: shortText(RED._('terminal-send-message.status.sent', { to: receipt.accepted.join(', ') })) });
          send({ ...msg, payload: { ...(msg.payload as object), sent: receipt } });
        };
        run().then(() => done(), (e: unknown) => {
          const error = asError(e);
          this.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
          done(error);
        });
      });
    },
    { credentials: { user: { type: 'text' }, password: { type: 'password' } } },
  );
};
