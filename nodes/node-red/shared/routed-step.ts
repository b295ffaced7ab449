import type { DoneFn, NodeMessage, NodeStatus, RuntimeNode, SendFn } from './red-api';
import { shortText } from './short-text';

export interface RoutedOutcome {
  payload: unknown;
  /** Which output the message leaves on (0-based). */
  output: number;
  status: string;
  fill?: NodeStatus['fill'];
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * handleInput (step-node.ts) for a node whose step picks one of `outputs` outputs for each message: the message,
 * with the step's result as msg.payload, leaves on that output and nothing on the others.
 */
export function handleRoutedInput(node: RuntimeNode, outputs: number, step: (payload: unknown) => Promise<RoutedOutcome>): void {
  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    const run = async () => {
      let outcome: RoutedOutcome;
      try {
        outcome = await step(msg.payload);
      } catch (e) {
        const error = asError(e);
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        return done(error);
      }
      node.status({ fill: outcome.fill ?? 'green', shape: 'dot', text: shortText(outcome.status) });
      msg.payload = outcome.payload;
      if (outputs <= 1) {
        send(msg);
      } else {
        const slots: Array<NodeMessage | null> = Array.from({ length: outputs }, () => null);
        slots[Math.min(outcome.output, outputs - 1)] = msg;
        send(slots);
      }
      done();
    };
    run().catch((e: unknown) => done(asError(e)));
  });
}
