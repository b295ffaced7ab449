import { createSource } from '../../core/sources/registry';
import type { Source } from '../../core/sources/source';
import type { SourceAccountNode } from './config-types';
import type { NodeDef, NodeRedApi } from './red-api';

/** A processor's config node: which fields are secrets (Node-RED's encrypted credentials) and which are plain. */
export interface SourceAccountSpec {
  type: string;
  source: string;
  secrets: readonly string[];
  plain: readonly string[];
}

/**
 * Registers one processor's config node. The trigger asks it for the core source (a signed-webhook account makes a
 * configured generic source) and the credential record that source parses.
 */
export function registerSourceAccount(RED: NodeRedApi, spec: SourceAccountSpec): void {
  RED.nodes.registerType<SourceAccountNode>(
    spec.type,
    function SourceAccount(this: SourceAccountNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const plain = Object.fromEntries(spec.plain.map((k) => [k, typeof def[k] === 'string' ? (def[k] as string).trim() : '']));
      this.sourceCredentials = () => {
        const secrets = Object.fromEntries(spec.secrets.map((k) => [k, this.credentials?.[k] ?? '']));
        // Empty fields are left out, so the source's own defaults (base URLs) apply and a missing secret is named.
        return Object.fromEntries(Object.entries({ ...plain, ...secrets }).filter(([, v]) => v !== ''));
      };
      this.source = (): Source<unknown> => (spec.source === 'generic' ? createSource('generic', JSON.parse(plain.config || '{}')) : createSource(spec.source));
    },
    { credentials: Object.fromEntries(spec.secrets.map((k) => [k, { type: 'password' }])) },
  );
}
