import { isSaasCrmName, SAAS_CRM_LABELS } from '../crm/crm-names';
import type { OutboxAlert, OutboxKind } from '../outbox/types';
import { slackText } from './slack-text';

/**
 * The words of a CRM Sync alert (a record given up on after its retries), for a mail or chat step: written once
 * here for every engine, as the templates' other messages are, so no flow words it itself. The recipient is the
 * mail step's (operations), not the message's.
 */
export interface CrmAlertMessage {
  subject: string;
  /** Plain text: which record, which CRM, after how many attempts and when, the reason, and what to do. */
  text: string;
  /** `text` escaped for a Slack incoming webhook (slack-text.ts): a CRM's message cannot mention anyone there. */
  slackText: string;
}

/** A CRM Sync alert with its words, as the Alerts output carries it. */
export type WordedCrmAlert = OutboxAlert & { message: CrmAlertMessage };

const RECORD_WORDS: Readonly<Record<OutboxKind, string>> = {
  customer: 'customer',
  payment: 'payment',
  fields: 'the field updates of customer',
};

export function crmAlertMessage(alert: OutboxAlert): CrmAlertMessage {
  const crm = isSaasCrmName(alert.crm) ? SAAS_CRM_LABELS[alert.crm] : alert.crm;
  const record = `${RECORD_WORDS[alert.recordKind] ?? alert.recordKind} ${alert.externalId}`;
  const text = [
    `CRM Sync gave up sending ${record} to ${crm} after ${alert.attempts} attempt(s), at ${alert.at}.`,
    `Reason: ${alert.reason}`,
    `The store keeps it, but nothing sends it to ${crm} again by itself. \`terminal-crm outbox --state dead --crm ${alert.crm}\` lists every record given up on; once the cause is fixed, \`terminal-crm reconcile --from <source> --since <day> --crm ${alert.crm} --repair\` queues the payments again, with their customers.`,
  ].join('\n');
  return { subject: `${crm} sync gave up on ${record}`, text, slackText: slackText(text) };
}

export function withCrmAlertMessage(alert: OutboxAlert): WordedCrmAlert {
  return { ...alert, message: crmAlertMessage(alert) };
}
