import type { GroupProcess } from './shared/process-group';
import { describeExit } from './shared/process-group';

interface Part {
  name: string;
  stop(): Promise<void>;
  process?: GroupProcess;
}

/** Thrown by `add` when the sandbox is stopping: the part was stopped right away instead of being kept. */
export class SandboxStopping extends Error {
  constructor() {
    super('the sandbox is stopping');
  }
}

/**
 * What the sandbox has started, stopped in reverse order. A part whose process ends by itself (a crash, a port
 * taken meanwhile) is reported through `crashed`, so the sandbox can stop the rest and say why.
 */
export class SandboxParts {
  private readonly parts: Part[] = [];
  private stopping: Promise<void> | undefined;
  private onCrash: ((reason: string) => void) | undefined;
  /** Resolves with the reason when a part's process exits while the sandbox is not stopping. */
  readonly crashed = new Promise<string>((resolve) => (this.onCrash = resolve));

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  async add(part: Part): Promise<void> {
    if (this.stopping) {
      await part.stop();
      throw new SandboxStopping();
    }
    this.parts.push(part);
    void part.process?.exited.then((status) => {
      if (!this.stopping) this.onCrash?.(`${part.name} ${describeExit(status)}; the end of its output:\n${part.process!.tail(30)}`);
    });
  }

  /** Stops every part, last started first; each gets its own grace time. Safe to call twice. */
  stopAll(log: (line: string) => void = () => undefined): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const part of [...this.parts].reverse()) {
        const started = Date.now();
        try {
          await part.stop();
          log(`stopped ${part.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (e) {
          log(`stopping ${part.name} failed: ${(e as Error).message}`);
        }
      }
    })());
  }

  /** Process ids (= process group ids) of the running parts. */
  pids(): number[] {
    return this.parts.flatMap((p) => (p.process ? [p.process.pid] : []));
  }
}
