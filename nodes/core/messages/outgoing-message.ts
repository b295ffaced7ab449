/** The templates' messages, one implementation for every engine. */
export const MESSAGE_KINDS = ['thank-you', 'high-value-alert', 'loyalty-welcome', 'refund', 'failed-payments'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * What a message step puts on the item under `message`: everything a mail, Slack or SMS step needs, already
 * worded and with amounts written as their currency writes them. Flows map `to`, `subject` and `text` and
 * never format anything themselves.
 */
export interface OutgoingMessage {
  kind: MessageKind;
  /** What the message is about: the same key is never sent twice ("thank-you:stripe:pi_1"). */
  key: string;
  /** An email address; empty when the settings leave the recipient to the flow, or when only a phone is known. */
  to: string;
  /** Customer messages: the customer's phone in E.164 ("+14155550123"), when known — where an SMS step sends `text`. */
  phone?: string;
  subject: string;
  /** Plain text, for mail and SMS. */
  text: string;
  /** `text` escaped for a Slack incoming webhook's `text` (messages/slack-text.ts): a name cannot mention or link there. */
  slackText: string;
  /** The payment's (or refund's) amount as text, e.g. "¥1,200", "KWD 1.250". */
  amountText?: string;
  customerName?: string;
  tier?: string | null;
  points?: number;
  /** Set when quiet hours held the message back: when it was released for sending. */
  queuedUntil?: string;
}
