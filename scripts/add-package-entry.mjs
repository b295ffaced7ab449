// Adds one entry to package.json's n8n or node-red lists, re-reading the file right before writing so that
// several people adding entries at once do not undo each other's.
//   node scripts/add-package-entry.mjs n8n.nodes dist/nodes/n8n/X/X.node.js
//   node scripts/add-package-entry.mjs n8n.credentials dist/credentials/X.credentials.js
//   node scripts/add-package-entry.mjs node-red.nodes <type> dist/nodes/node-red/<type>.js
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const [list, a, b] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (list === 'n8n.nodes' || list === 'n8n.credentials') {
  const key = list.split('.')[1];
  if (!pkg.n8n[key].includes(a)) pkg.n8n[key].push(a);
} else if (list === 'node-red.nodes') {
  pkg['node-red'].nodes[a] = b;
} else {
  console.error('usage: add-package-entry.mjs n8n.nodes|n8n.credentials <path> | node-red.nodes <type> <path>');
  process.exit(2);
}
writeFileSync('package.json.tmp', `${JSON.stringify(pkg, null, 2)}\n`);
renameSync('package.json.tmp', 'package.json');
