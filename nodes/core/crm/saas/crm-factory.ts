import { InputError } from '../../errors';
import type { HttpTransport } from '../../http/http-transport';
import { pacedAdapter } from './paced-transport';
import { realClock, type Clock } from './rate-limiter';
import { parseSaasCrmName, SAAS_CRM_NAMES, type SaasCrmName } from '../crm-names';
import type { CrmAdapter } from './crm-adapter';
import { createDynamicsAdapter, DYNAMICS_ENV, dynamicsAxiosTransport, dynamicsSettingsFromEnv } from './dynamics';
import { createHubSpotAdapter, HUBSPOT_ENV, hubspotAxiosTransport, hubspotSettingsFromEnv } from './hubspot';
import { createPipedriveAdapter, PIPEDRIVE_ENV, pipedriveAxiosTransport, pipedriveSettingsFromEnv } from './pipedrive';
import { createSalesforceAdapter, SALESFORCE_ENV, salesforceAxiosTransport, salesforceSettingsFromEnv } from './salesforce';
import { createZohoAdapter, ZOHO_ENV, zohoAxiosTransport, zohoSettingsFromEnv } from './zoho';

export interface CrmFactoryOptions {
  /** The clock the adapter's tokens and the rate limiter read (tests pass a fake one). */
  clock?: Clock;
}

/**
 * The environment variables that hold each CRM's credential, for messages that tell an operator what to fix
 * when the CRM refuses it.
 */
export const CRM_CREDENTIAL_ENV: Record<SaasCrmName, readonly string[]> = {
  hubspot: [HUBSPOT_ENV.accessToken, HUBSPOT_ENV.clientId, HUBSPOT_ENV.clientSecret, HUBSPOT_ENV.refreshToken],
  salesforce: [SALESFORCE_ENV.clientId, SALESFORCE_ENV.clientSecret, SALESFORCE_ENV.username, SALESFORCE_ENV.privateKey],
  dynamics: [DYNAMICS_ENV.tenantId, DYNAMICS_ENV.clientId, DYNAMICS_ENV.clientSecret],
  pipedrive: [PIPEDRIVE_ENV.apiToken, PIPEDRIVE_ENV.clientId, PIPEDRIVE_ENV.clientSecret, PIPEDRIVE_ENV.refreshToken],
  zoho: [ZOHO_ENV.clientId, ZOHO_ENV.clientSecret, ZOHO_ENV.refreshToken],
};

/**
 * A SaaS CRM's adapter from environment variables (the CLI, the Temporal worker, the sandbox): its settings from
 * `<CRM>_*`, axios with the CRM's auth, and every HTTP request paced by one rate limiter sized from the adapter's
 * documented limits, which the outbox drain shares (paced-transport.ts). A missing or wrong variable is an
 * InputError naming it.
 */
export function crmAdapterFromEnv(name: string, env: NodeJS.ProcessEnv = process.env, options: CrmFactoryOptions = {}): CrmAdapter {
  const crm = parseSaasCrmName(name, '--crm');
  const clock = options.clock ?? realClock;
  return pacedAdapter((paced) => build(crm, env, clock, paced), clock);
}

function build(crm: SaasCrmName, env: NodeJS.ProcessEnv, clock: Clock, paced: (http: HttpTransport) => HttpTransport): CrmAdapter {
  switch (crm) {
    case 'hubspot': {
      const settings = hubspotSettingsFromEnv(env);
      return createHubSpotAdapter({ http: paced(hubspotAxiosTransport(settings, clock.now)), settings, pacer: clock });
    }
    case 'salesforce': {
      const settings = salesforceSettingsFromEnv(env);
      return createSalesforceAdapter({ http: paced(salesforceAxiosTransport(settings, { now: clock.now })), settings });
    }
    case 'dynamics': {
      const settings = dynamicsSettingsFromEnv(env);
      return createDynamicsAdapter({ http: paced(dynamicsAxiosTransport(settings, { now: clock.now })), settings });
    }
    case 'pipedrive': {
      const settings = pipedriveSettingsFromEnv(env);
      return createPipedriveAdapter({ http: paced(pipedriveAxiosTransport(settings, clock.now)), settings, now: clock.now });
    }
    case 'zoho': {
      const settings = zohoSettingsFromEnv(env);
      return createZohoAdapter({ http: paced(zohoAxiosTransport(settings, clock.now)), settings, now: clock.now });
    }
    default:
      throw new InputError('--crm', `"${String(crm)}" has no adapter`, `choose one of: ${SAAS_CRM_NAMES.join(', ')}`);
  }
}
