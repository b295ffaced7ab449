import { createServer } from 'node:net';

/** A port nothing listens on right now, on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
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
