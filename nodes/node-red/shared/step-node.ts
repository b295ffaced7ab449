import type { DoneFn, NodeMessage, NodeStatus, RuntimeNode, SendFn } from './red-api';
import { shortText } from './short-text';

export interface StepOutcome {
  payload: unknown;
  status: string;
  fill?: NodeStatus['fill'];
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * The life of one message in a step node: msg.payload in, the core step's result out as msg.payload, the other
 * msg properties kept. A failure goes to done(err), so a Catch node receives it with the message that failed;
 * the status line under the node shows the latest outcome either way.
 */
export function handleInput(node: RuntimeNode, step: (payload: unknown) => Promise<StepOutcome>): void {
  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    const run = async () => {
      let outcome: StepOutcome;
      try {
        outcome = await step(msg.payload);
      } catch (e) {
        const error = asError(e);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        return done(error);
      }
      node.status({ fill: outcome.fill ?? 'green', shape: 'dot', text: shortText(outcome.status) });
      msg.payload = outcome.payload;
      send(msg);
      done();
    };
    run().catch((e: unknown) => done(asError(e)));
  });
}
