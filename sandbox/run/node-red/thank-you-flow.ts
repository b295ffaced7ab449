import type { FlowNode } from './admin-api';
import { withPaymentFlow, type PaymentFlowSetup } from './payment-flow';

/** examples/thank-you.json, as Import → Examples lists it. */
export const THANK_YOU_EXAMPLE = 'thank-you';
/** The sender the sandbox's thank-yous show (the catcher delivers nowhere). */
export const SANDBOX_MAIL_FROM = 'Your Shop <hello@yourshop.example>';

/**
 * The thank-you example beside the other flows, filled in as an operator would: the Stripe secret and store (as
 * for the payment example), and every "terminal send message" pointed at the mail catcher (no TLS, no login).
 * Applied again on every start, so a new mail port reaches the deployed copy; the operator's other edits stay.
 */
export function withThankYouFlow(flows: readonly FlowNode[], example: readonly FlowNode[], setup: Omit<PaymentFlowSetup, 'path'>, smtp: { host: string; port: number }): FlowNode[] {
  const ids = new Set(example.map((n) => n.id));
  return withPaymentFlow(flows, example, setup).map((n) =>
    n.type === 'terminal-send-message' && ids.has(n.id)
      ? { ...n, host: smtp.host, port: smtp.port, secure: false, from: n.from || SANDBOX_MAIL_FROM, credentials: { user: '', password: '' } }
      : n,
  );
}
