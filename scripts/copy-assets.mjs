// tsc compiles only .ts; n8n icons and codex files and Node-RED editor HTML must sit beside their compiled .js.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ASSET = /\.(svg|png|json|html)$/;
function copy(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copy(path);
    else if (ASSET.test(name)) cpSync(path, join('dist', path));
  }
}
for (const top of ['nodes', 'credentials']) copy(top);
