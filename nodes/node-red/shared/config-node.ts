import { InputError } from '../../core/errors';
import type { NodeRedApi, RuntimeNode } from './red-api';

/**
 * The config node a flow node points at, or an error that tells the operator which box to fill in. Node-RED
 * hands back any node for an id, so the type is checked too.
 */
export function configNode<T extends RuntimeNode>(RED: NodeRedApi, id: unknown, type: string, label: string): T {
  const node = typeof id === 'string' && id ? RED.nodes.getNode(id) : null;
  if (!node) {
    throw new InputError(label, 'none is selected, or the selected one was deleted', `open this node, pick a ${label} (or add one with the pencil button) and deploy`);
  }
  if (node.type !== type) throw new InputError(label, `the selected node is a "${node.type}", not a "${type}"`, `pick a ${label} in this node's settings`);
  return node as T;
}
