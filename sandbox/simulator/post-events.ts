import { shopScenario } from './shop-scenario';
import { signedDelivery } from './stripe-terminal-events';

export interface SimulatorTarget {
  name: string;
  url: string;
  signingSecret: string;
}

/**
 * Posts each scenario event, signed for each target, every `intervalMs`, and reports what each engine answered.
 * Returns a stop function.
 */
export function startSimulator(targets: readonly SimulatorTarget[], intervalMs: number, log: (line: string) => void): () => void {
  const steps = shopScenario();
  let stopped = false;
  const tick = async () => {
    const step = steps.next().value!;
    const answers = await Promise.all(
      targets.map(async (t) => {
        const d = signedDelivery(step.event, t.signingSecret);
        try {
          const res = await fetch(t.url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
          return `${t.name} ${res.status}`;
        } catch (e) {
          return `${t.name} unreachable (${(e as Error).message})`;
        }
      }),
    );
    log(`${step.event.type.padEnd(30)} ${step.label.padEnd(36)} → ${answers.join(', ')}`);
  };
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
