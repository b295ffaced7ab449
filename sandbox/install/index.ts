// Bootstrap of the runtimes the sandbox drives, installed outside the repo into the cache dir.
export { cacheRoot, contentKey, engineInstallDir } from './cache-dir';
export { findEnginesDir } from './engines-dir';
export type { InstallOptions } from './install-options';
export { ensureNode24, node24Version } from './node24';
export { ensureEngine, NPM_ENGINES, type NpmEngine, type NpmEngineName } from './npm-engine';
export { ensureTemporal, type TemporalTools } from './temporal-venv';
export { StepFailedError, stderrReporter, type Reporter } from './run-logged';
