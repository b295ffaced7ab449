import { InputError } from '../../errors';
import type { HttpTransport } from '../../http/http-transport';
import { crmAdapterFromRecord, type CrmRecord } from './crm-from-credentials';
import { CrmError } from './crm-errors';

export interface CrmAccountCheck {
  status: 'OK' | 'Error';
  message: string;
}

/**
 * Tries a CRM account the way the pack will use it: builds the adapter (the token is fetched, so a refused
 * credential shows) and reads one changed customer (so a missing permission or a wrong field name shows). For
 * credentials no declarative n8n test can check (Salesforce's JWT is signed by the core), and for Node-RED.
 */
export async function checkCrmAccount(name: string, record: CrmRecord, http?: HttpTransport): Promise<CrmAccountCheck> {
  try {
    const adapter = crmAdapterFromRecord(name, record, http);
    const page = await adapter.changedCustomers(null, 1);
    return { status: 'OK', message: `${adapter.name} answered: ${page.customers.length ? 'customers can be read' : 'no customers yet, but they can be read'}` };
  } catch (e) {
    if (e instanceof InputError || e instanceof CrmError) return { status: 'Error', message: e.message };
    return { status: 'Error', message: `${name}: ${(e as Error).message}` };
  }
}
