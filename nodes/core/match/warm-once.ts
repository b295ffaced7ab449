import type { Crm } from '../contracts/crm';
import { resolveMatchConfig, type MatchConfig } from './match-config';
import { warmMatchIndex } from './match-customer';

const started = new WeakMap<object, Map<string, Promise<number>>>();

/**
 * warmMatchIndex once per store and normalization in this process, however many nodes or executions ask: the
 * first caller starts the load, later ones get the same promise. A failed load is forgotten, so the next
 * caller tries again (the store may not have existed yet).
 */
export function warmMatchIndexOnce(crm: Crm, config: MatchConfig = {}): Promise<number> {
  const scope = crm.indexScope ?? crm;
  const signature = resolveMatchConfig(config).indexSignature;
  let byConfig = started.get(scope);
  if (!byConfig) started.set(scope, (byConfig = new Map()));
  let warm = byConfig.get(signature);
  if (!warm) {
    warm = warmMatchIndex(crm, config);
    byConfig.set(signature, warm);
    warm.catch(() => byConfig.delete(signature));
  }
  return warm;
}
