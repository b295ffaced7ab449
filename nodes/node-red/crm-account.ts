import { parseSaasCrmName, type SaasCrmName } from '../core/crm/crm-names';
import type { CrmAdapter } from '../core/crm/saas/crm-adapter';
import { crmAdapterFromRecord } from '../core/crm/saas/crm-from-credentials';
import { renamedPrefix } from '../core/errors';
import { CRM_RECORD_FIELDS, type CrmRecord } from '../core/crm/saas/crm-record-settings';
import { CRM_ACCOUNT_TYPE, type CrmAccountNode } from './shared/crm-account-node';
import type { NodeDef, NodeRedApi } from './shared/red-api';

/** Kept in Node-RED's encrypted credentials file; everything else is a plain property of the flow. */
const SECRETS = ['clientSecret', 'accessToken', 'refreshToken', 'privateKey', 'apiToken'] as const;
/** Not secret, but no one should have to read it off the flow JSON either. */
const PRIVATE_TEXT = ['clientId'] as const;

/**
 * A SaaS CRM account (help: crm-account.html): which CRM, where its API is, and the secrets its sign-in needs.
 * The adapter is made once per config node, on first use, with the core's axios transport: tokens are fetched,
 * cached until shortly before they expire and refreshed once after a 401, for every flow node that uses it.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<CrmAccountNode>(
    CRM_ACCOUNT_TYPE,
    function CrmAccount(this: CrmAccountNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const record = (crm: SaasCrmName): CrmRecord => {
        // Only the chosen CRM's fields: values left behind by another choice in the editor never leak into it.
        const values: CrmRecord = {};
        for (const f of [...CRM_RECORD_FIELDS[crm], 'settings']) {
          const v = (SECRETS as readonly string[]).includes(f) || (PRIVATE_TEXT as readonly string[]).includes(f) ? this.credentials?.[f] : def[f];
          if (typeof v === 'string' && v.trim() !== '') values[f] = v;
        }
        return values;
      };
      // Each field by its label in this dialog ("Time zone"), for the core's messages; a key the catalog lacks comes
      // back as itself (i18next), and the core keeps the field's name.
      const labels = (crm: SaasCrmName): Record<string, string> =>
        Object.fromEntries(CRM_RECORD_FIELDS[crm].map((f) => [f, RED._(`${CRM_ACCOUNT_TYPE}.label.${f}`)]).filter(([f, label]) => label && label !== `${CRM_ACCOUNT_TYPE}.label.${f}`));
      let adapter: CrmAdapter | undefined;
      this.crmName = () => parseSaasCrmName(def.crm, 'CRM');
      this.crmRecord = () => record(this.crmName());
      // The advanced JSON box is the core's "settings": named by its label too.
      this.adapter = () => (adapter ??= renamedPrefix(() => crmAdapterFromRecord(this.crmName(), this.crmRecord(), undefined, labels(this.crmName())), 'settings', RED._(`${CRM_ACCOUNT_TYPE}.label.settings`)));
      try {
        this.adapter();
      } catch (e) {
        // Said at deploy, and again by every node that uses the account until it is fixed.
        this.warn(`CRM account "${def.name || def.id}": ${(e as Error).message}`);
      }
    },
    { credentials: Object.fromEntries([...SECRETS.map((k) => [k, { type: 'password' as const }]), ...PRIVATE_TEXT.map((k) => [k, { type: 'text' as const }])]) },
  );
};
