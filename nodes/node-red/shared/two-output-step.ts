import type { DoneFn, NodeMessage, NodeStatus, RuntimeNode, SendFn } from './red-api';
import { shortText } from './short-text';

export interface TwoOutputOutcome {
  /** msg.payload for the first output. */
  payload: unknown;
  /** One msg.payload per message for the second output (none: nothing is sent there). */
  second: unknown[];
  status: string;
  fill?: NodeStatus['fill'];
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * handleInput (step-node.ts) for a node with two outputs: the step's result always leaves on the first, and any
 * number of derived messages on the second, each a copy of the input msg with its own payload.
 */
export function handleTwoOutputInput(node: RuntimeNode, step: (payload: unknown) => Promise<TwoOutputOutcome>): void {
  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    const run = async () => {
      let outcome: TwoOutputOutcome;
      try {
        outcome = await step(msg.payload);
      } catch (e) {
        const error = asError(e);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        return done(error);
      }
      node.status({ fill: outcome.fill ?? 'green', shape: 'dot', text: shortText(outcome.status) });
      const derived = outcome.second.map((payload) => ({ ...msg, payload }));
      msg.payload = outcome.payload;
      // Node-RED takes an array per output for several messages on one output.
      (send as (m: Array<NodeMessage | NodeMessage[] | null>) => void)([msg, derived.length ? derived : null]);
      done();
    };
    run().catch((e: unknown) => done(asError(e)));
  });
}
