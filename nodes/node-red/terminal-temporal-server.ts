import type { Client } from '@temporalio/client';
import { connectTemporalTarget, temporalTargetOf, type TemporalTargetLabels, type TemporalTargetRecord } from '../../temporal/temporal-target';
import { formCheckbox } from './shared/form-choice';
import type { NodeDef, NodeRedApi } from './shared/red-api';
import { TEMPORAL_SERVER_TYPE, type TemporalServerNode } from './shared/temporal-server-node';

const SECRETS = ['apiKey', 'clientKey', 'clientCertificate', 'caCertificate'] as const;
/** The fields an error can name, as the dialog labels them (locales/en-US/terminal-temporal-server.json). */
const LABELS: TemporalTargetLabels = { address: 'Address', clientCertificate: 'Client cert', clientKey: 'Client key', caCertificate: 'CA cert' };

/** A Temporal server (help: terminal-temporal-server.html): address, namespace, task queue, API key or mTLS. */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<TemporalServerNode>(
    TEMPORAL_SERVER_TYPE,
    function TemporalServer(this: TemporalServerNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      let client: Promise<Client> | undefined;
      // TLS is a checkbox: another value (a flow edited by hand) is refused, not read as off.
      this.target = () => temporalTargetOf({ ...(def as TemporalTargetRecord), tls: formCheckbox(def.tls, 'TLS'), ...Object.fromEntries(SECRETS.map((k) => [k, this.credentials?.[k]])) }, LABELS);
      this.client = () => {
        client ??= connectTemporalTarget(this.target()).catch((e: unknown) => {
          client = undefined; // the next message tries again (the server may come up later)
          throw e;
        });
        return client;
      };
      this.on('close', (done: () => void) => {
        const open = client;
        client = undefined;
        void (open ?? Promise.resolve(undefined))
          .then((c) => c?.connection.close())
          .catch(() => undefined)
          .finally(() => done());
      });
    },
    { credentials: Object.fromEntries(SECRETS.map((k) => [k, { type: 'password' as const }])) },
  );
};
