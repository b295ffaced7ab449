import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeRedSettings {
  port: number;
  /** Fixed, so the credentials file written by one run can be read by the next start of the same userDir. */
  credentialSecret: string;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/**
 * settings.js for a local Node-RED: loopback only, no login (nothing but this machine can reach it), no
 * telemetry or update checks (no outbound calls), no installs from the palette (the pack comes from its tarball).
 */
export function writeNodeRedSettings(userDir: string, s: NodeRedSettings): string {
  const settings = {
    uiPort: s.port,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: s.credentialSecret,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    externalModules: { palette: { allowInstall: false } },
    editorTheme: { tours: false },
    logging: { console: { level: s.logLevel ?? 'info', metrics: false, audit: false } },
  };
  const path = join(userDir, 'settings.js');
  writeFileSync(path, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  return path;
}
