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

// Node-RED serves a module's top-level resources/ to the editor (resources/<module>/<file>): the dialogs' amount
// check reads the core's own currency exponents and bound from there, written from the compiled core, so no
// dialog keeps a copy of them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { EXPONENT_OVERRIDES } = require('../dist/nodes/core/contracts/money.js');
const { MAX_MINOR_UNITS } = require('../dist/nodes/core/config/amounts.js');
mkdirSync('resources', { recursive: true });
writeFileSync(
  join('resources', 'editor-amounts.js'),
  `// Written by scripts/copy-assets.mjs from the compiled core (contracts/money.ts EXPONENT_OVERRIDES, config/amounts.ts
// MAX_MINOR_UNITS and minorUnitsOf's rounding) on every build: edit those, not this file.
(function (root) {
  var EXPONENTS = ${JSON.stringify(EXPONENT_OVERRIDES)};
  var MAX_MINOR_UNITS = ${MAX_MINOR_UNITS};
  function exponent(currency) {
    var code = typeof currency === 'string' ? currency.trim().toUpperCase() : '';
    return Object.prototype.hasOwnProperty.call(EXPONENTS, code) ? EXPONENTS[code] : 2;
  }
  root.terminalCrmAmounts = {
    /** A number typed in the currency (500, 19.99) holds no more minor units than an amount setting can. */
    withinMinorUnits: function (n, currency) { return Math.round(n * Math.pow(10, exponent(currency))) <= MAX_MINOR_UNITS; },
  };
})(window);
`,
);
