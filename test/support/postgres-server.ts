import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temp folder, listening on 127.0.0.1 on a free
 * port (its unix socket in the same folder), password authentication over TCP. Root may not run postgres, so
 * under root the server runs as the `postgres` user the Debian package creates. Missing binaries are an error
 * with the install command, never a skip: the Postgres store must be tested wherever the tests run.
 */
export interface PostgresServer {
  readonly port: number;
  readonly version: string;
  /** initdb + start until the first connection succeeds. */
  readonly startMs: number;
  /** Superuser URL of a database (with the password). */
  url(database: string, credentials?: { user?: string; password?: string }): string;
  /**
   * A new, empty database; returns its URL. `icuLocale` ("en-US") gives it a natural-language collation, as
   * production databases usually have, instead of the cluster's byte order.
   */
  createDatabase(prefix?: string, options?: { icuLocale?: string }): Promise<string>;
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const SUPERUSER = 'postgres';

/** The server binaries: TERMINAL_CRM_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinaries(): { bin: string; version: string } {
  const fromEnv = process.env.TERMINAL_CRM_PG_BIN;
  const candidates = fromEnv
    ? [fromEnv]
    : existsSync(PG_ROOT)
      ? readdirSync(PG_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join(PG_ROOT, v, 'bin'))
      : [];
  const bin = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!bin) {
    throw new Error(
      `PostgreSQL server binaries (initdb, postgres) not found ${fromEnv ? `in TERMINAL_CRM_PG_BIN=${fromEnv}` : `under ${PG_ROOT}/<version>/bin`}: ` +
        'install them with `apt-get install -y postgresql` (bash .ci/run does this), or point TERMINAL_CRM_PG_BIN at their folder',
    );
  }
  return { bin, version: bin.split('/').at(-2) ?? '?' };
}

/** Under root: the uid/gid of the `postgres` account to run the server as. Otherwise the server runs as us. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${SUPERUSER}:`));
  if (!line) {
    throw new Error("the tests run as root, which may not run a PostgreSQL server, and there is no 'postgres' account to run it as: install the postgresql package (it creates the account) or run the tests as another user");
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPostgresServer(): Promise<PostgresServer> {
  const started = Date.now();
  const { bin, version } = findPostgresBinaries();
  const account = serverAccount();
  const root = mkdtempSync(join(tmpdir(), 'tcrm-pg-'));
  const data = join(root, 'data');
  const socketDir = join(root, 'socket');
  const log = join(root, 'server.log');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(root, 'pwfile');
  mkdirSync(socketDir);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  const logFd = openSync(log, 'a', 0o600);
  if (account) for (const p of [root, socketDir, pwfile, log]) chownSync(p, account.uid, account.gid);
  const as = account ?? {};
  const remove = () => rmSync(root, { recursive: true, force: true });
  let logOpen = true;
  const closeLog = () => {
    if (logOpen) closeSync(logFd);
    logOpen = false;
  };

  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  const killOnExit = () => {
    if (child?.exitCode === null) child.kill('SIGQUIT');
  };
  const stopWatchdog = () => {
    if (watchdog?.pid && watchdog.exitCode === null) process.kill(-watchdog.pid, 'SIGKILL');
  };
  try {
    await execFileAsync(
      join(bin, 'initdb'),
      ['-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { ...as, env: { ...process.env, LC_ALL: 'C' } },
    );
    const port = await freePort();
    // Durability settings off: the cluster is deleted afterwards, and tests should not wait for fsync.
    child = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-k', socketDir, '-h', '127.0.0.1', '-p', String(port), '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      { ...as, stdio: ['ignore', logFd, logFd], detached: true },
    );
    closeLog();
    process.once('exit', killOnExit);
    watchdog = startWatchdog(child.pid!, root);
    const exited = new Promise<number | null>((resolve) => {
      child!.once('exit', (code) => resolve(code));
      child!.once('error', () => resolve(-1));
    });
    const url = (database: string, c: { user?: string; password?: string } = {}) =>
      `postgres://${encodeURIComponent(c.user ?? SUPERUSER)}:${encodeURIComponent(c.password ?? password)}@127.0.0.1:${port}/${database}`;
    await waitUntilReady(url('postgres'), exited, log);
    const startMs = Date.now() - started;

    let stopped = false;
    return {
      port,
      version,
      startMs,
      url,
      async createDatabase(prefix = 'tcrm', options = {}) {
        const name = `${prefix}_${randomBytes(6).toString('hex')}`;
        const admin = new Client({ connectionString: url('postgres') });
        await admin.connect();
        try {
          const icu = options.icuLocale ? ` LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale.replace(/[^A-Za-z0-9_-]/g, '')}' TEMPLATE template0` : '';
          await admin.query(`CREATE DATABASE ${name}${icu}`);
        } finally {
          await admin.end();
        }
        return url(name);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', killOnExit);
        stopWatchdog();
        if (child!.exitCode === null) {
          child!.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
          let timer: NodeJS.Timeout | undefined;
          const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 10_000)))]);
          clearTimeout(timer);
          if (code === 'timeout') {
            process.kill(-child!.pid!, 'SIGKILL');
            await exited;
          }
        }
        remove();
      },
    };
  } catch (e) {
    closeLog();
    process.removeListener('exit', killOnExit);
    stopWatchdog();
    if (child?.exitCode === null && child.pid) {
      process.kill(-child.pid, 'SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    remove();
    throw new Error(`could not start a PostgreSQL ${version} server from ${bin}: ${e instanceof Error ? e.message : String(e)}${tail ? `\nserver log:\n${tail}` : ''}`);
  }
}

/**
 * Stops the server and deletes its folder if the test process dies without stopping it (killed by a timeout,
 * SIGKILL): the postmaster runs in its own process group and would otherwise outlive it.
 */
function startWatchdog(serverPid: number, root: string): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -QUIT ${serverPid} 2>/dev/null; sleep 2; rm -rf '${root}'`;
  const w = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  w.unref();
  return w;
}

async function waitUntilReady(url: string, exited: Promise<number | null>, log: string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited with code ${exitCode} while starting (log: ${log})`);
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`the server did not accept connections within 30 s: ${e instanceof Error ? e.message : String(e)}`);
      await sleep(50);
    }
  }
}
