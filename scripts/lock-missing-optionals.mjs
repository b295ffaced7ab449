// The npm registry this project installs from lacks some optional per-platform binaries (e.g. @swc/core-darwin-arm64):
// `npm install` leaves them out of package-lock.json and `npm ci` then rejects the lock as out of sync. This adds a
// placeholder entry for each missing optional dependency (npm ci tries it, finds it unavailable, and skips it, as it
// does for any optional package). Run it after every `npm install` that changes the lock:
//   node scripts/lock-missing-optionals.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const entries = lock.packages;
const present = new Set(Object.keys(entries).map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length)));
const added = [];
for (const entry of Object.values(entries)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    entries[`node_modules/${name}`] = { version, optional: true, ...(entry.dev ? { dev: true } : {}) };
    present.add(name);
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added.length} placeholder(s) added${added.length ? `:\n  ${added.join('\n  ')}` : ''}`);
