import { InputError } from '../../core/errors';
import type { HttpHandler, NodeRedApi } from './red-api';
import { accountPlace, gatewaySource } from './source-account';

/** Where the signed-webhook dialog asks (relative to the editor's admin root, as Node-RED's own dialogs ask). */
export const GATEWAY_CHECK_PATH = '/terminal-crm/gateway-check';

/** The answer: the gateway as the trigger would take it, or what it would refuse and the fix. */
export type GatewayVerdict = { ok: true } | { ok: false; field: string; problem: string; fix: string; message: string };

/**
 * Serves the signed-webhook account dialog's check of its Gateway (JSON), by the rule a deploy applies
 * (gatewaySource: the core's generic configuration schema): the browser has no copy of that schema, so without this
 * the dialog marked nothing and a mistake showed only as the trigger's red status after deploy. Reads nothing but
 * the text it is sent, so the route gives no more than the dialog already has.
 */
export function registerGatewayCheck(RED: NodeRedApi, type: string): void {
  const place = accountPlace(RED, type, ['secret', 'config']);
  const check: HttpHandler = (req, res) => {
    const config = (req.body as { config?: unknown } | undefined)?.config;
    let verdict: GatewayVerdict = { ok: true };
    if (config !== undefined && typeof config !== 'string') {
      verdict = refused(new InputError('config', 'is not text', 'send {"config": "<the Gateway (JSON) box\'s text>"}'));
      res.statusCode = 400;
    } else {
      try {
        gatewaySource((config ?? '').trim(), place());
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        verdict = refused(e);
      }
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(verdict));
  };
  RED.httpAdmin.post(GATEWAY_CHECK_PATH, RED.auth.needsPermission(`${type}.read`), check);
}

const refused = (e: InputError): GatewayVerdict => ({ ok: false, field: e.field, problem: e.problem, fix: e.fix, message: e.message });
