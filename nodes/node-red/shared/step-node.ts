import type { DoneFn, NodeMessage, NodeStatus, RuntimeNode, SendFn } from './red-api';
import { shortText } from './short-text';
import { scrubbedError } from '../../core/tokenize/scrub-error';

export interface StepOutcome {
  /** msg.payload of the message that leaves on `output`. */
  payload: unknown;
  /** Which output that message leaves on (0-based; default 0). */
  output?: number;
  /** Further messages, each a copy of the input msg with its own payload, all on output `derivedOutput`. */
  derived?: unknown[];
  derivedOutput?: number;
  status: string;
  fill?: NodeStatus['fill'];
}

/**
 * The life of one message in a step node: msg.payload in, the core step's result out as msg.payload, the other
 * msg properties kept. A failure goes to done(err), so a Catch node receives it with the message that failed;
 * the status line under the node shows the latest outcome either way. `outputs` is the node's output count.
 */
export function handleInput(node: RuntimeNode, step: (payload: unknown) => Promise<StepOutcome>, outputs = 1): void {
  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    const run = async () => {
      let outcome: StepOutcome;
      try {
        outcome = await step(msg.payload);
      } catch (e) {
        const error = scrubbedError(e);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        return done(error);
      }
      node.status({ fill: outcome.fill ?? 'green', shape: 'dot', text: shortText(outcome.status) });
      const derived = (outcome.derived ?? []).map((payload) => ({ ...msg, payload }));
      msg.payload = outcome.payload;
      if (outputs <= 1) {
        send(msg);
      } else {
        // One slot per output; an array in a slot sends several messages on that output.
        const slots: Array<NodeMessage | NodeMessage[] | null> = Array.from({ length: outputs }, () => null);
        slots[Math.min(outcome.output ?? 0, outputs - 1)] = msg;
        if (derived.length) slots[Math.min(outcome.derivedOutput ?? 1, outputs - 1)] = derived;
        (send as (m: Array<NodeMessage | NodeMessage[] | null>) => void)(slots);
      }
      done();
    };
    run().catch((e: unknown) => done(scrubbedError(e)));
  });
}
