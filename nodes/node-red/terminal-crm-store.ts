import { parseRegion } from '../core/config/settings';
import { keyProviderFromSpec, openCrm } from '../core/steps/steps';
import { openDatabase } from '../core/store/open-database';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import type { NodeDef, NodeRedApi } from './shared/red-api';

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
      const storeUrl = typeof def.storeUrl === 'string' ? def.storeUrl : '';
      const region = typeof def.defaultRegion === 'string' && def.defaultRegion ? def.defaultRegion : undefined;
      this.tokenKeys = () => keyProviderFromSpec(this.credentials?.tokenKeys ?? '', 'Token keys');
      this.defaultRegion = () => parseRegion(region, 'Default region');
      this.crm = (crmName) => openCrm({ crm: crmName, storeUrl });
      this.db = () => openDatabase(storeUrl);
    },
    { credentials: { tokenKeys: { type: 'password' } } },
  );
};
