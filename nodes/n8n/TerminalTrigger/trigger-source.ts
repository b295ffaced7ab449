import type { IWebhookFunctions } from 'n8n-workflow';
import { parseJson } from '../../core/config/parse-json';
import { InputError, renamedField } from '../../core/errors';
import { createSource } from '../../core/sources/registry';
import type { Source } from '../../core/sources/source';
import { toNodeError } from '../shared/node-error';

/** The node's JSON box of a generic gateway, as errors name it. */
const GENERIC_CONFIG = 'Gateway Configuration (JSON)';

/**
 * The box's configuration. Parsed here, never handed on as text: the core would read text that is not JSON as the
 * path of a file on the n8n server, and an empty box as the server's TERMINAL_CRM_GENERIC_CONFIG.
 */
function genericConfigOf(raw: unknown): unknown {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') return raw;
  if (!raw?.trim()) throw new InputError(GENERIC_CONFIG, 'is empty', 'paste the configuration of the gateway: {"name": …, "scheme": …, "mapping": {…}}');
  const value = parseJson(raw);
  if (value instanceof Error) throw new InputError(GENERIC_CONFIG, `is not valid JSON (${value.message})`, 'check its quotes, commas and braces');
  return value;
}

/** A setting of the configuration named inside the box it was typed in ("Gateway Configuration (JSON).mapping.amount"). */
function inBox(e: unknown): unknown {
  if (!(e instanceof InputError) || e.field.startsWith(GENERIC_CONFIG)) return e;
  return new InputError(e.field === 'config' ? GENERIC_CONFIG : `${GENERIC_CONFIG}.${e.field}`, e.problem, e.fix);
}

/** The core source the trigger's Source option names; a generic gateway is configured from the node's JSON. */
export function triggerSource(ctx: IWebhookFunctions, name: string): Source<unknown> {
  try {
    if (name !== 'generic') return createSource(name);
    const config = genericConfigOf(ctx.getNodeParameter('genericConfig', '{}'));
    try {
      return createSource('generic', config);
    } catch (e) {
      throw inBox(e);
    }
  } catch (error) {
    throw toNodeError(ctx.getNode(), renamedField(error, 'source', 'Source'));
  }
}
