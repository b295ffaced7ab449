import { parseRegion } from '../core/config/settings';
import { InputError } from '../core/errors';
import { keyProviderFromSpec, openCrm } from '../core/steps/steps';
import { openDatabase, storeNamed } from '../core/store/open-database';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import type { NodeDef, NodeRedApi } from './shared/red-api';

const STORE_LABEL = 'Store (in the Terminal CRM store node)';

/**
 * Where customers and transactions are kept, the keys card tokens are made with, and the country phone numbers
 * without a +prefix belong to. Values are read when a message needs them, so a mistake shows up as an error on
 * that message (which a Catch node can handle) and not as a node that silently failed to start.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<StoreNode>(
    STORE_TYPE,
    function TerminalCrmStore(this: StoreNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      // Not text (a flow edited by hand): read as blank it would open the default store, not the one meant.
      const storeUrl = def.storeUrl === undefined || def.storeUrl === null || typeof def.storeUrl === 'string' ? (def.storeUrl ?? '') : new InputError(STORE_LABEL, `${JSON.stringify(def.storeUrl)} is not a store location`, 'open the Terminal CRM store configuration, write the store location (postgres://…, sqlite:/path/to/store.db or a file path) and deploy');
      const region = typeof def.defaultRegion === 'string' && def.defaultRegion ? def.defaultRegion : undefined;
      this.tokenKeys = () => keyProviderFromSpec(this.credentials?.tokenKeys ?? '', 'Token keys');
      this.defaultRegion = () => parseRegion(region, 'Default region');
      // Named as the editor shows it: errors reach the node that used the store, not this config node.
      const url = (): string => {
        if (storeUrl instanceof InputError) throw storeUrl;
        return storeUrl;
      };
      this.crm = async (crmName) => storeNamed(STORE_LABEL, () => openCrm({ crm: crmName, storeUrl: url() }));
      this.db = async () => storeNamed(STORE_LABEL, () => openDatabase(url()));
    },
    { credentials: { tokenKeys: { type: 'password' } } },
  );
};
