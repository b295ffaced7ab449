import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crmAlertMessage, withCrmAlertMessage } from '../../../nodes/core/messages/crm-alert-message';
import type { OutboxAlert } from '../../../nodes/core/outbox/types';

const alert = (over: Partial<OutboxAlert> = {}): OutboxAlert => ({
  kind: 'crm-dead',
  crm: 'hubspot',
  recordKind: 'payment',
  externalId: 'stripe:pi_ghost',
  outboxId: 'ob_1',
  reason: 'gave up after 30 attempts; last: the contact cus_ghost is not in hubspot yet',
  attempts: 30,
  at: '2026-03-01T12:00:00.000Z',
  ...over,
});

describe('CRM Sync alert message (the words of a record given up on)', () => {
  it('names the record, the CRM as its users call it, the attempts, the time, the reason and what to do', () => {
    const m = crmAlertMessage(alert());
    assert.equal(m.subject, 'HubSpot sync gave up on payment stripe:pi_ghost');
    assert.deepEqual(m.text.split('\n'), [
      'CRM Sync gave up sending payment stripe:pi_ghost to HubSpot after 30 attempt(s), at 2026-03-01T12:00:00.000Z.',
      'Reason: gave up after 30 attempts; last: the contact cus_ghost is not in hubspot yet',
      'The store keeps it, but nothing sends it to HubSpot again by itself. `terminal-crm outbox --state dead --crm hubspot` lists every record given up on; once the cause is fixed, `terminal-crm reconcile --from <source> --since <day> --crm hubspot --repair` queues the payments again, with their customers.',
    ]);
  });

  it('words every CRM and record kind', () => {
    assert.equal(crmAlertMessage(alert({ crm: 'dynamics', recordKind: 'customer', externalId: 'cus_1' })).subject, 'Dynamics 365 sync gave up on customer cus_1');
    assert.equal(crmAlertMessage(alert({ crm: 'zoho', recordKind: 'fields', externalId: 'cus_2' })).subject, 'Zoho CRM sync gave up on the field updates of customer cus_2');
  });

  it('escapes the CRM\'s words for Slack, so a reason cannot mention a channel', () => {
    const m = crmAlertMessage(alert({ reason: 'INVALID_FIELD: <!channel> & co' }));
    assert.match(m.text, /Reason: INVALID_FIELD: <!channel> & co$/m);
    assert.match(m.slackText, /Reason: INVALID_FIELD: &lt;!channel&gt; &amp; co$/m);
  });

  it('keeps the alert as it was, with the message beside it', () => {
    const a = alert();
    assert.deepEqual(withCrmAlertMessage(a), { ...a, message: crmAlertMessage(a) });
  });
});
