import { InputError } from '../../core/errors';
import { createSource } from '../../core/sources/registry';
import type { Source } from '../../core/sources/source';
import type { CredentialPlace } from '../../core/sources/source-credentials';
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
      // A checkbox saves a boolean (Adyen Terminal's Live account); the sources read both.
      const plain: Record<string, string | boolean> = Object.fromEntries(spec.plain.map((k) => [k, typeof def[k] === 'string' ? (def[k] as string).trim() : typeof def[k] === 'boolean' ? def[k] : '']));
      this.sourceCredentials = () => {
        const secrets = Object.fromEntries(spec.secrets.map((k) => [k, this.credentials?.[k] ?? '']));
        // Empty fields are left out, so the source's own defaults (base URLs) apply and a missing secret is named.
        return Object.fromEntries(Object.entries({ ...plain, ...secrets }).filter(([, v]) => v !== ''));
      };
      this.credentialPlace = accountPlace(RED, spec.type, [...spec.secrets, ...spec.plain]);
      this.source = (): Source<unknown> => (spec.source === 'generic' ? gatewaySource(plain.config, this.credentialPlace()) : createSource(spec.source));
    },
    { credentials: Object.fromEntries(spec.secrets.map((k) => [k, { type: 'password' }])) },
  );
}

/**
 * The signed-webhook account's gateway, from its JSON box. What the box holds wrong is named as the account and the
 * box ("Signed webhook → Gateway (JSON) → mapping"), where the parser alone would say "Unexpected end of JSON input"
 * or "mapping" with no word of where.
 */
export function gatewaySource(config: unknown, place: CredentialPlace): Source<unknown> {
  const box = `${place.name} → ${place.labels.config ?? 'config'}`;
  const fix = `open the ${place.name} configuration, correct ${place.labels.config ?? 'config'} and deploy`;
  let parsed: unknown = {};
  if (typeof config === 'string' && config) {
    try {
      parsed = JSON.parse(config);
    } catch (e) {
      throw new InputError(box, `is not valid JSON (${(e as Error).message})`, `${fix}: a JSON object as the gateway's docs describe it`);
    }
  }
  try {
    return createSource('generic', parsed);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${box} → ${e.field}`, e.problem, `${e.fix} (${fix})`);
    throw e;
  }
}

/**
 * A processor's account as its dialog shows it, for the core's messages: the name the editor lists it by (the
 * catalog's <type>.node.label: "Square account"), each credential field's label (<type>.label.<field>: "Signature
 * key") and the fix in Node-RED's words. `boxes` maps a source field to the dialog's field where they differ (the
 * Stripe account's signingSecret is its webhookSecrets box). Read once, from the account's own catalog, when first asked.
 */
export function accountPlace(RED: NodeRedApi, type: string, fields: readonly string[], boxes: Readonly<Record<string, string>> = {}): () => CredentialPlace {
  let place: CredentialPlace | undefined;
  return () => {
    if (!place) {
      const text = (key: string) => {
        const t = RED._(`${type}.${key}`);
        // A key the catalog lacks comes back as itself (i18next): no label, and the core keeps the field's name.
        return t && t !== `${type}.${key}` ? t : undefined;
      };
      const name = text('node.label') ?? type;
      const labels: Record<string, string> = {};
      for (const field of fields) {
        const label = text(`label.${boxes[field] ?? field}`);
        if (label) labels[field] = label;
      }
      place = { name, labels, fix: (label) => `open the ${name} configuration, fill in ${label} and deploy` };
    }
    return place;
  };
}
