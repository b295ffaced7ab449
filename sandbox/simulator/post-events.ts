import { shopScenario, type ScenarioStep } from './shop-scenario';
import { signedDelivery } from './stripe-terminal-events';

export interface SimulatorTarget {
  name: string;
  url: string;
  signingSecret: string;
  /** The event as this target gets it (e.g. with ids of its own); default: the scenario's event as it is. */
  prepare?: (event: ScenarioStep['event']) => ScenarioStep['event'];
}

/** What one target answered: its HTTP status, or why it could not be reached. */
export interface SimulatorAnswer {
  target: string;
  status?: number;
  error?: string;
}

/**
 * Posts each scenario event, signed for each target, every `intervalMs`, and reports what each engine answered.
 * Returns a stop function, which resolves once the deliveries under way have been answered.
 */
export function startSimulator(
  targets: readonly SimulatorTarget[],
  intervalMs: number,
  log: (line: string) => void,
  onDelivered?: (step: ScenarioStep, answers: SimulatorAnswer[]) => void,
): () => Promise<void> {
  const steps = shopScenario();
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const tick = async () => {
    const step = steps.next().value!;
    const answers = await Promise.all(
      targets.map(async (t): Promise<SimulatorAnswer> => {
        const d = signedDelivery(t.prepare ? t.prepare(step.event) : step.event, t.signingSecret);
        try {
          const res = await fetch(t.url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
          await res.body?.cancel();
          return { target: t.name, status: res.status };
        } catch (e) {
          return { target: t.name, error: (e as Error).message };
        }
      }),
    );
    const shown = answers.map((a) => (a.status !== undefined ? `${a.target} ${a.status}` : `${a.target} unreachable (${a.error})`));
    log(`${step.event.type.padEnd(30)} ${step.label.padEnd(36)} → ${shown.join(', ')}`);
    onDelivered?.(step, answers);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    const running = tick().finally(() => inFlight.delete(running));
    inFlight.add(running);
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await Promise.all(inFlight);
  };
}
