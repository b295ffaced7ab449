import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port nothing listens on right now, on 127.0.0.1, for a server started a moment later.
 *
 * Picked below the OS's ephemeral range where the OS says what that range is (Linux): a port from the range itself
 * (what `listen(0)` gives) is handed by the OS to the next outgoing connection of any process once we let it go,
 * and a sandbox's Temporal server once failed to bind one so. Below the range only another listener can take it,
 * and a port this process handed out already is not handed out again.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralLow();
  if (below !== undefined && below - FIRST_PICKED > 1000) {
    for (let i = 0; i < 50; i++) {
      const port = FIRST_PICKED + Math.floor(Math.random() * (below - FIRST_PICKED));
      if (handedOut.has(port)) continue;
      if (await bindable(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  return osAssignedPort();
}

/** Below it, ports registered to well-known services (1024–9999 holds most of those a developer machine runs). */
const FIRST_PICKED = 10_000;
const handedOut = new Set<number>();

function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : undefined;
  } catch {
    return undefined;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function osAssignedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('the OS assigned no port'))));
    });
  });
}

/** Fails with the port and who wants it when something already listens there (a second sandbox, an old engine). */
export function assertPortFree(port: number, what: string, envName?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => {
      const fix = envName ? `stop whatever listens there, or set ${envName} to another port` : 'stop whatever listens there';
      reject(new Error(`${what}: port ${port} on 127.0.0.1 is ${e.code === 'EADDRINUSE' ? 'already in use' : `not usable (${e.code ?? e.message})`}. Fix: ${fix}`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
