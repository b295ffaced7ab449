import type { FlowNode } from './admin-api';
import { configurePaymentFlow, withPaymentFlow, type PaymentFlowSetup } from './payment-flow';

/** The message examples of examples/ (Import → Examples), each beside the payment example. */
export const TEMPLATE_EXAMPLES = ['thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync'] as const;
export type TemplateExample = (typeof TEMPLATE_EXAMPLES)[number];

export const SLACK_PLACEHOLDER = 'https://example.com/replace-with-your-slack-webhook-url';
/** The SMS gateway the thank-you ships with (its send SMS node is disabled until the operator fills it in). */
export const TWILIO_MESSAGES_URL = 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json';
/** The sender the sandbox's mail shows when the operator left it empty (the catcher delivers nowhere). */
export const SANDBOX_MAIL_FROM = 'Your Shop <hello@yourshop.example>';

/** A Twilio account as the operator enters it to switch the SMS on; `baseUrl` replaces https://api.twilio.com. */
export interface SmsGateway {
  baseUrl: string;
  accountSid: string;
  authToken: string;
}

/** What an operator fills in on a message example's own nodes, beyond the payment example's settings. */
export interface MessageSetup {
  smtp: { host: string; port: number };
  /** The sender of a "terminal send message" the operator left without one; default SANDBOX_MAIL_FROM. */
  from?: string;
  /** The URL every Slack http request posts to, for this example. */
  slackUrl: string;
  /** Given, the thank-you's SMS is switched on through this gateway. */
  sms?: SmsGateway;
}

/**
 * One node of a message example as the operator fills it in: every "terminal send message" pointed at the SMTP
 * server (no TLS, no login), every Slack http request at the Slack URL, and the SMS switched on when asked.
 */
export function fillMessageNode(node: FlowNode, m: MessageSetup): FlowNode {
  if (node.type === 'terminal-send-message') {
    return { ...node, host: m.smtp.host, port: m.smtp.port, secure: false, from: node.from || m.from || SANDBOX_MAIL_FROM, credentials: { user: '', password: '' } };
  }
  if (node.type !== 'http request') return node;
  if (node.url === TWILIO_MESSAGES_URL) {
    if (!m.sms) return node;
    // As the comment beside it says: the Account SID (and here the gateway) in the URL, Basic auth, the node enabled.
    const { d: _disabled, ...enabled } = node;
    const url = TWILIO_MESSAGES_URL.replace('https://api.twilio.com', m.sms.baseUrl).replace(/AC[X]{32}/, m.sms.accountSid);
    return { ...enabled, url, authType: 'basic', credentials: { user: m.sms.accountSid, password: m.sms.authToken } };
  }
  // The placeholder, or the sandbox's own receiver on an earlier start (another port): a URL the operator typed stays.
  if (node.url === SLACK_PLACEHOLDER || /^http:\/\/127\.0\.0\.1:\d+\/slack\//.test(String(node.url))) return { ...node, url: m.slackUrl };
  return node;
}

/** A message example, fresh, with the payment settings (`setup`, its own `path` when given) and the message settings. */
export function configureMessageFlow(example: readonly FlowNode[], setup: PaymentFlowSetup, m: MessageSetup): FlowNode[] {
  return configurePaymentFlow(example, setup).map((node) => fillMessageNode(node, m));
}

/**
 * The flows to deploy so a message example runs beside the others: added the first time; on later starts the
 * deployed copy (with the operator's edits) is kept and the settings are applied again, so a new mail port or
 * Slack URL reaches it.
 */
export function withMessageFlow(deployed: readonly FlowNode[], example: readonly FlowNode[], setup: Omit<PaymentFlowSetup, 'path'>, m: MessageSetup): FlowNode[] {
  const ids = new Set(example.map((n) => n.id));
  return withPaymentFlow(deployed, example, setup).map((n) => (ids.has(n.id) ? fillMessageNode(n, m) : n));
}
