import type { INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { CrmSync } from '../../../nodes/n8n/CrmSync/CrmSync.node';
import { CrmUpsert } from '../../../nodes/n8n/CrmUpsert/CrmUpsert.node';
import { LoyaltyEnroll } from '../../../nodes/n8n/LoyaltyEnroll/LoyaltyEnroll.node';
import { MatchCustomer } from '../../../nodes/n8n/MatchCustomer/MatchCustomer.node';
import { ResolveReview } from '../../../nodes/n8n/ResolveReview/ResolveReview.node';
import { Segment } from '../../../nodes/n8n/Segment/Segment.node';
import { TerminalMessage } from '../../../nodes/n8n/TerminalMessage/TerminalMessage.node';
import { TerminalRedrive } from '../../../nodes/n8n/TerminalRedrive/TerminalRedrive.node';
import { TerminalTrigger } from '../../../nodes/n8n/TerminalTrigger/TerminalTrigger.node';
import { Tokenize } from '../../../nodes/n8n/Tokenize/Tokenize.node';

/** The package name n8n prefixes our node types with once installed as a community package. */
export const PACKAGE = '@terminal-crm/n8n-nodes-terminal-crm';

/** A no-op stand-in for n8n's sticky note, so the shipped template loads as it is. */
class StickyNote implements INodeType {
  description = {
    displayName: 'Sticky Note', name: 'stickyNote', group: ['input'], version: 1, description: '',
    defaults: { name: 'Sticky Note' }, inputs: [], outputs: [], properties: [],
  } as INodeType['description'];
}

/** Node types as n8n registers them: our nodes under the package name, plus the sticky note. */
export function packageNodeTypes(): INodeTypes {
  const types: Record<string, INodeType> = {
    [`${PACKAGE}.terminalTrigger`]: new TerminalTrigger(),
    [`${PACKAGE}.tokenize`]: new Tokenize(),
    [`${PACKAGE}.matchCustomer`]: new MatchCustomer(),
    [`${PACKAGE}.crmUpsert`]: new CrmUpsert(),
    [`${PACKAGE}.crmSync`]: new CrmSync(),
    [`${PACKAGE}.segment`]: new Segment(),
    [`${PACKAGE}.loyaltyEnroll`]: new LoyaltyEnroll(),
    [`${PACKAGE}.terminalRedrive`]: new TerminalRedrive(),
    [`${PACKAGE}.terminalMessage`]: new TerminalMessage(),
    [`${PACKAGE}.resolveReview`]: new ResolveReview(),
    'n8n-nodes-base.stickyNote': new StickyNote(),
  };
  return nodeTypesOf(types);
}

/** A set of node types as n8n's loader would hand them to a workflow, by their full type name. */
export function nodeTypesOf(types: Record<string, INodeType | IVersionedNodeType>): INodeTypes {
  const byName = (type: string): INodeType | IVersionedNodeType => {
    const found = types[type];
    if (!found) throw new Error(`unknown node type ${type}`);
    return found;
  };
  return {
    getByName: byName,
    getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName(type), version),
    getKnownTypes: () => Object.fromEntries(Object.keys(types).map((t) => [t, { className: t, sourcePath: '' }])),
  };
}
