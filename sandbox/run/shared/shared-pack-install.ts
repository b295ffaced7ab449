import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../install/cache-dir';

/** Kept this long after its last use: a test run started from an older build may still be copying from it. */
const KEEP_MS = 60 * 60 * 1000;
const COMPLETE = '.complete';

/**
 * One `npm install` of a tarball per machine, in `<cache>/packs/<sha256>`, that every engine start then copies:
 * each end-to-end test starts its engine in a fresh folder, and installing the pack's runtime dependencies there
 * took 20 s a time (18 starts in `npm test`), while a copy by hard links takes under a second.
 * `install` is the real install, run once into the folder it is given.
 */
export async function sharedInstall(sha256: string, install: (dir: string) => Promise<void>, root: string = cacheRoot()): Promise<string> {
  const packs = join(root, 'packs');
  const done = join(packs, sha256);
  if (existsSync(join(done, COMPLETE))) return done;
  mkdirSync(packs, { recursive: true });
  const staging = mkdtempSync(join(packs, `${sha256}.`));
  try {
    await install(staging);
    mkdirSync(join(staging, COMPLETE));
    // Two processes may install the same tarball at once: the first rename wins, the other's copy is dropped.
    try {
      renameSync(staging, done);
    } catch {
      if (!existsSync(join(done, COMPLETE))) throw new Error(`could not move the pack's install into ${done}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  forgetOldInstalls(packs, sha256);
  return done;
}

function forgetOldInstalls(packs: string, keep: string): void {
  for (const name of readdirSync(packs)) {
    if (name === keep) continue;
    const dir = join(packs, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > KEEP_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}

/**
 * Copies an installed tree into `into` by hard links (the files are only read, and a link costs no space), or
 * byte by byte where links cannot be made (another file system, no `cp -l`).
 */
export async function copyTree(from: string, into: string): Promise<void> {
  const linked = await new Promise<boolean>((resolve) => {
    const child = spawn('cp', ['-al', from, into], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
  if (linked) return;
  rmSync(into, { recursive: true, force: true });
  cpSync(from, into, { recursive: true, verbatimSymlinks: true });
}
