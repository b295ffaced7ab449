/**
 * Listens on Node-RED's editor websocket (/comms), which carries what the editor shows: debug-sidebar messages
 * and node status lines. Tests observe a flow through it without adding nodes to the flow under test.
 */
export interface CommsEvent {
  topic: string;
  data: Record<string, unknown>;
}

export interface DebugMessage {
  /** The debug node's id: which flow's node, where two flows name their debug nodes alike. */
  id: string;
  /** The debug node's name. */
  name: string;
  /** The property the debug node shows, decoded when it is JSON. */
  value: unknown;
}

export class NodeRedComms {
  readonly events: CommsEvent[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (e: MessageEvent) => {
      for (const event of JSON.parse(String(e.data)) as CommsEvent[]) this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(baseUrl: string, topics: readonly string[] = ['debug', 'status/#']): Promise<NodeRedComms> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/comms`);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot open ${baseUrl}/comms`)), { once: true });
    });
    for (const topic of topics) ws.send(JSON.stringify({ subscribe: topic }));
    return new NodeRedComms(ws);
  }

  debugMessages(): DebugMessage[] {
    return this.events
      .filter((e) => e.topic === 'debug')
      .map((e) => {
        const raw = e.data.msg;
        let value: unknown = raw;
        if (typeof raw === 'string' && e.data.format !== 'string') {
          try {
            value = JSON.parse(raw);
          } catch {
            // shown as text by the editor too
          }
        }
        return { id: String(e.data.id ?? ''), name: String(e.data.name ?? ''), value };
      });
  }

  /** Latest status text of a node, as the editor shows it under the node. */
  statusOf(nodeId: string): string | undefined {
    const last = this.events.filter((e) => e.topic === `status/${nodeId}`).at(-1);
    return last ? String(last.data.text ?? '') : undefined;
  }

  /** Resolves with the first value `probe` returns that is not undefined; fails after `timeoutMs`, saying what it awaited. */
  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = probe();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.map((e) => `${e.topic} ${JSON.stringify(e.data).slice(0, 200)}`).join('\n  ');
        throw new Error(`timed out waiting for ${what}; Node-RED sent:\n  ${seen || '(nothing)'}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}
