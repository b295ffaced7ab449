import assert from 'node:assert/strict';
import type { CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { enqueue } from '../../../../nodes/core/outbox/enqueue';
import { DEFAULT_OUTBOX_POLICY } from '../../../../nodes/core/outbox/types';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import type { HubSpotMock } from '../../crm/saas/mocks/hubspot-mock';

const payment = (id: string, customer: string, minor: number): CrmPayment => ({
  externalId: `stripe:${id}`,
  customerExternalId: customer,
  source: 'stripe',
  paymentId: id,
  amount: { minor, currency: 'USD' },
  refunded: { minor: 0, currency: 'USD' },
  status: 'succeeded',
  occurredAt: '2025-03-01T11:58:00.000Z',
});

/**
 * A payment of a customer HubSpot never got (retried until its contact exists), queued on its last allowed
 * attempt: the next CRM Sync run gives it up and raises an alert.
 */
export async function queueGhostPayment(db: SqlDatabase): Promise<void> {
  await db.transaction((tx) => enqueue(tx, 'hubspot', [{ kind: 'payment', record: payment('pi_sync_ghost', 'cus_sync_ghost', 700) }]));
  await db.run("UPDATE outbox SET attempts = ? WHERE external_id = 'stripe:pi_sync_ghost'", [DEFAULT_OUTBOX_POLICY.maxAttempts - 1]);
}

/**
 * What one CRM Sync run meets in the outbox, as CRM Upsert would have left it: two customers and their payments
 * queued for HubSpot, and a payment of a customer HubSpot never got (it is retried until its contact exists) on
 * its last allowed attempt, so this run gives it up and raises an alert.
 */
export async function queueSyncFixture(db: SqlDatabase): Promise<void> {
  await db.transaction((tx) =>
    enqueue(tx, 'hubspot', [
      { kind: 'customer', record: { externalId: 'cus_sync_1', profile: { givenName: 'Ana', familyName: 'Diaz', email: 'ana.sync@example.com' } } },
      { kind: 'customer', record: { externalId: 'cus_sync_2', profile: { givenName: 'Bo', familyName: 'Li', email: 'bo.sync@example.com' } } },
      { kind: 'payment', record: payment('pi_sync_1', 'cus_sync_1', 4599) },
      { kind: 'payment', record: payment('pi_sync_2', 'cus_sync_2', 1200) },
    ]),
  );
  await queueGhostPayment(db);
}

/** After one run: the two customers and their deals are in HubSpot, associated; nothing else is queued. */
export async function assertFixtureSynced(db: SqlDatabase, mock: HubSpotMock): Promise<void> {
  for (const email of ['ana.sync@example.com', 'bo.sync@example.com']) assert.equal(mock.recordBy('contacts', 'email', email).length, 1, `${email} in HubSpot`);
  const contact = mock.recordBy('contacts', 'email', 'ana.sync@example.com')[0]!;
  assert.equal(contact.properties.terminal_crm_id, 'cus_sync_1');
  const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_sync_1')[0];
  assert.ok(deal, 'the payment is a deal in HubSpot');
  assert.equal(deal.properties.amount, '45.99');
  assert.ok(mock.associations.has(`deals:${deal.id}->contacts:${contact.id}`), 'the deal is associated with its contact');
  const rows = await db.all<{ external_id: string; state: string }>("SELECT external_id, state FROM outbox WHERE crm = 'hubspot' ORDER BY external_id");
  assert.deepEqual(rows.map((r) => [r.external_id, r.state]), [
    ['cus_sync_1', 'synced'], ['cus_sync_2', 'synced'], ['stripe:pi_sync_1', 'synced'], ['stripe:pi_sync_2', 'synced'], ['stripe:pi_sync_ghost', 'dead'],
  ]);
  const links = await db.all<{ external_id: string; crm_id: string }>("SELECT external_id, crm_id FROM crm_links WHERE crm = 'hubspot' AND external_id = 'cus_sync_1'");
  assert.deepEqual(links.map((l) => l.crm_id), [contact.id]);
}

/** The alert a run gives for the ghost payment, as any face passes it on. */
export function assertGhostAlert(alert: Record<string, unknown> | undefined): void {
  assert.ok(alert, 'one alert');
  assert.equal(alert.kind, 'crm-dead');
  assert.equal(alert.crm, 'hubspot');
  assert.equal(alert.recordKind, 'payment');
  assert.equal(alert.externalId, 'stripe:pi_sync_ghost');
  assert.equal(alert.attempts, DEFAULT_OUTBOX_POLICY.maxAttempts);
  assert.match(String(alert.reason), /^gave up after 30 attempts; last: .*stripe:pi_sync_ghost/);
}

/** The words the n8n and Node-RED faces put on that alert, for the mail step (nodes/core/messages/crm-alert-message.ts). */
export function assertGhostAlertMessage(message: unknown, reason: string): void {
  const m = message as { subject?: unknown; text?: unknown } | undefined;
  assert.equal(m?.subject, 'HubSpot sync gave up on payment stripe:pi_sync_ghost');
  const lines = String(m?.text).split('\n');
  assert.match(lines[0]!, /^CRM Sync gave up sending payment stripe:pi_sync_ghost to HubSpot after 30 attempt\(s\), at \d{4}-\d\d-\d\dT/);
  assert.equal(lines[1], `Reason: ${reason}`);
}
