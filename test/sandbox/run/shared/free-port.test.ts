import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { assertPortFree, freePort } from '../../../../sandbox/run/shared/free-port';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', { timeout: 30_000 }, () => {
  it('gives ports below the OS ephemeral range, which outgoing connections of other processes cannot take', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) assert.ok(port >= 1024 && port < ephemeralLow, `port ${port} is not below the ephemeral range (from ${ephemeralLow})`);
  });

  it('never gives one port twice in a process, and each can be listened on', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length, 'a port was handed out twice');
    for (const port of ports.slice(0, 20)) await assertPortFree(port, 'a picked port');
  });

  it('assertPortFree names the port and the setting to change when something listens there', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    try {
      await assert.rejects(assertPortFree(port, 'Node-RED', 'TERMINAL_CRM_NODE_RED_PORT'), new RegExp(`Node-RED: port ${port} on 127\\.0\\.0\\.1 is already in use\\. Fix: .*TERMINAL_CRM_NODE_RED_PORT`));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
