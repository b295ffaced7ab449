import { cacheRoot } from './cache-dir';
import { findEnginesDir } from './engines-dir';
import { stderrReporter, type Reporter } from './run-logged';

/** Everything has a default; tests override paths and commands. */
export interface InstallOptions {
  /** Default: cacheRoot() (TERMINAL_CRM_CACHE, XDG_CACHE_HOME or ~/.cache, + /terminal-crm). */
  cacheRoot?: string;
  /** Folder with the pinned lockfiles. Default: the repo's sandbox/engines. */
  enginesDir?: string;
  /** Default: stderr, verbose when TERMINAL_CRM_VERBOSE=1. */
  reporter?: Reporter;
  /** Default: `npm` from PATH (run under Node 24 for engine installs). */
  npmCommand?: string;
  /** Default: $TERMINAL_CRM_PYTHON or `python3`. */
  pythonCommand?: string;
}

export interface ResolvedInstallOptions {
  cacheRoot: string;
  enginesDir: string;
  reporter: Reporter;
  npmCommand: string;
  pythonCommand: string;
}

export function resolveInstallOptions(opts: InstallOptions = {}): ResolvedInstallOptions {
  return {
    cacheRoot: opts.cacheRoot ?? cacheRoot(),
    enginesDir: opts.enginesDir ?? findEnginesDir(),
    reporter: opts.reporter ?? stderrReporter(),
    npmCommand: opts.npmCommand ?? 'npm',
    pythonCommand: opts.pythonCommand ?? (process.env.TERMINAL_CRM_PYTHON || 'python3'),
  };
}
