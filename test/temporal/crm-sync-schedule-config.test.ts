import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { crmSyncCrmsFromEnv, crmSyncScheduleFromEnv, DEFAULT_CRM_SYNC_SCHEDULE, ensureCrmSyncSchedulesFromEnv } from '../../temporal/crm-sync-schedule';

describe('TERMINAL_CRM_SYNC_CRMS and TERMINAL_CRM_SYNC_SCHEDULE', () => {
  it('syncs nothing unless CRMs are listed, each once whatever the spelling', () => {
    assert.deepEqual(crmSyncCrmsFromEnv({}), []);
    assert.deepEqual(crmSyncCrmsFromEnv({ TERMINAL_CRM_SYNC_CRMS: ' HubSpot, zoho,,hubspot ' }), ['hubspot', 'zoho']);
  });

  it('refuses a CRM without an adapter, naming the variable and the CRMs', () => {
    assert.throws(
      () => crmSyncCrmsFromEnv({ TERMINAL_CRM_SYNC_CRMS: 'hubspot,local,freshsales' }),
      /^InputError: TERMINAL_CRM_SYNC_CRMS: "local", "freshsales" is not a CRM the pack syncs\. Fix: list CRMs, comma-separated: hubspot, salesforce, dynamics, pipedrive, zoho$/,
    );
  });

  it('syncs every minute by default; takes intervals, cron and "off"; names the variable on anything else', () => {
    assert.equal(crmSyncScheduleFromEnv({}), DEFAULT_CRM_SYNC_SCHEDULE);
    assert.equal(DEFAULT_CRM_SYNC_SCHEDULE, '@every 1m');
    for (const v of ['@every 30s', '*/5 * * * *']) assert.equal(crmSyncScheduleFromEnv({ TERMINAL_CRM_SYNC_SCHEDULE: v }), v);
    assert.equal(crmSyncScheduleFromEnv({ TERMINAL_CRM_SYNC_SCHEDULE: 'off' }), null);
    assert.throws(() => crmSyncScheduleFromEnv({ TERMINAL_CRM_SYNC_SCHEDULE: 'hourly-ish' }), /^InputError: TERMINAL_CRM_SYNC_SCHEDULE: "hourly-ish" is not a schedule\. Fix: give "@every 1m" \(the default\)/);
  });

  it('stops the worker at start when a listed CRM has no credentials, naming the variable, before any schedule is made', async () => {
    let touched = false;
    const client = { schedule: { getHandle: () => { touched = true; throw new Error('no schedule may be touched'); } } } as unknown as Client;
    await assert.rejects(
      ensureCrmSyncSchedulesFromEnv(client, { TERMINAL_CRM_SYNC_CRMS: 'hubspot' }, 'q', () => undefined),
      /^InputError: HUBSPOT_ACCESS_TOKEN: is not set\. Fix: set HUBSPOT_ACCESS_TOKEN/,
    );
    assert.equal(touched, false);
  });
});
