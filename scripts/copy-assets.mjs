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

// Node-RED serves a module's top-level resources/ to the editor (resources/<module>/<file>). The dialogs read the
// core's values from resources/editor-core.js, written here from the compiled core: amounts read with the currency
// exponents and bound, the currencies a loyalty program takes and the ids it may have, the times quiet hours take,
// the addresses an alert goes to, the default locale, the lines Locations take, the match thresholds' defaults, a
// backfill's window and page size, the SaaS CRMs' names, the store's phone regions, a sale's amount and currency (and
// what each processor can charge), a
// trigger's path, a Temporal server's address, what a port and a URL setting may be, an Adyen
// terminal key version and a currency code. No dialog keeps a copy of them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { CURRENCY_PATTERN, EXPONENT_OVERRIDES } = require('../dist/nodes/core/contracts/money.js');
const { MAX_MINOR_UNITS } = require('../dist/nodes/core/config/amounts.js');
const { DEFAULT_PROGRAM_ID, PROGRAM_CURRENCIES, PROGRAM_ID_PATTERN } = require('../dist/nodes/core/loyalty/program.js');
const { QUIET_TIME_PATTERN } = require('../dist/nodes/core/messages/quiet-hours.js');
const { MATCH_DEFAULTS } = require('../dist/nodes/core/match/operator-settings.js');
const { DEFAULT_LOCALE } = require('../dist/nodes/core/format/money-text.js');
const { ALERT_ADDRESS_PATTERN, ALERT_ADDRESS_SEPARATOR, ALERT_KINDS, unnamedLocationLine } = require('../dist/nodes/core/messages/settings.js');
/**
 * Functions that go to the browser as their compiled source must use nothing outside themselves: running that source
 * with nothing else in scope, on `cases` (argument lists, passed through JSON as the browser gets data), must give
 * what the function itself gives (a name from outside throws here, not in an operator's editor). Returns the source.
 */
function standsAlone(fn, file, cases) {
  const source = fn.toString();
  const copy = new Function(`return (${source})`)();
  for (const args of cases) {
    if (JSON.stringify(copy(...JSON.parse(JSON.stringify(args)))) !== JSON.stringify(fn(...args))) {
      throw new Error(`copy-assets: ${file} ${fn.name} no longer stands alone (${JSON.stringify(args)})`);
    }
  }
  return source;
}
const unnamedLocationLineSource = standsAlone(unnamedLocationLine, 'messages/settings.ts', [['a=b\n c \n']]);
const { backfillWindowOf } = require('../dist/nodes/core/backfill/window-fields.js');
const { offlineGraceHoursOf } = require('../dist/nodes/core/sources/history/offline-grace.js');
const { OFFLINE_GRACE_SOURCES } = require('../dist/nodes/core/sources/history/index.js');
const { SAAS_CRM_NAMES } = require('../dist/nodes/core/crm/crm-names.js');
const { DEFAULT_REGION, REGIONS } = require('../dist/nodes/core/config/settings.js');
const { TRIGGER_PATH } = require('../dist/nodes/node-red/shared/http-route.js');
const { TEMPORAL_ADDRESS } = require('../dist/temporal/connection-config.js');
const { PORT_PATTERN } = require('../dist/nodes/core/config/port.js');
const { SALE_CURRENCY, saleMinorUnits } = require('../dist/nodes/core/terminal-push/sale-fields.js');
const saleMinorUnitsSource = standsAlone(saleMinorUnits, 'terminal-push/sale-fields.ts',
  [[' 12.50', 'major', 2], ['12.50', 'major', 2], ['12.5', 'major', 0], ['1250', 'minor', 2], ['0', 'major', 3], ['1e300', 'major', 2]]);
// The processors' tables (PROCESSOR_AMOUNT_RULES) go beside processorAmount as data.
const { PROCESSOR_AMOUNT_RULES, PROCESSOR_NAMES, processorAmount } = require('../dist/nodes/core/terminal-push/vendor-amounts.js');
const processorAmountSource = standsAlone(processorAmount, 'terminal-push/vendor-amounts.ts',
  [[1250, 'MGA', 2], [1200, 'MGA', 2], [12345, 'KWD', 3], [12340, 'KWD', 3], [1050, 'IDR', 2], [15, 'ISK', 0], [90071992547410, 'ISK', 0], [9007199254740991, 'USD', 2], [1250, 'USD', 2]]
    .flatMap((args) => Object.values(PROCESSOR_AMOUNT_RULES).map((rules) => [...args, rules])));
// webUrlFault may use the URL class, which browsers have too.
const { webUrlFault } = require('../dist/nodes/core/http/web-url.js');
const webUrlFaultSource = standsAlone(webUrlFault, 'http/web-url.ts',
  [['https://api.hubapi.com', 'base', false], ['api.hubapi.com', 'base', false], ['http://x.example/a?b', 'full', true], ['https://x.example:99999', 'origin', true]]);
const { ADYEN_LIVE_WORDS, adyenKeyVersionOf } = require('../dist/nodes/core/sources/adyen-terminal.js');
const { flagValueOf } = require('../dist/nodes/core/config/flag.js');
const flagValueOfSource = standsAlone(flagValueOf, 'config/flag.ts',
  [' Live ', '', 'off', 'ture', '0', 'TRUE'].map((raw) => [raw, ADYEN_LIVE_WORDS]));
const adyenKeyVersionOfSource = standsAlone(adyenKeyVersionOf, 'sources/adyen-terminal.ts',
  [['1'], [' 12 '], [''], ['0'], ['01'], ['0x10'], ['1e1'], ['2147483647'], ['2147483648'], [7], [true], [null]]);
const backfillWindowOfSource = standsAlone(backfillWindowOf, 'backfill/window-fields.ts', [[' 2026-01-01 ', '2026-01-01', '2.5']]);
const offlineGraceHoursOfSource = standsAlone(offlineGraceHoursOf, 'sources/history/offline-grace.ts', [[' 48 '], [0], ['0'], [720], [721], ['2.5'], [null]]);
// The program reads its currency as currencyOf does (trimmed, upper-cased, three letters A-Z), then looks it up:
// the dialog only looks it up, which holds while every code it takes is such a code.
const notACode = PROGRAM_CURRENCIES.filter((c) => !/^[A-Z]{3}$/.test(c));
if (notACode.length) throw new Error(`copy-assets: loyalty/program.ts PROGRAM_CURRENCIES holds ${notACode.join(', ')}, which currencyOf never passes`);
mkdirSync('resources', { recursive: true });
writeFileSync(
  join('resources', 'editor-core.js'),
  `// Written by scripts/copy-assets.mjs from the compiled core (contracts/money.ts EXPONENT_OVERRIDES and CURRENCY_PATTERN, config/amounts.ts
// MAX_MINOR_UNITS and minorUnitsOf's rounding, loyalty/program.ts PROGRAM_CURRENCIES, PROGRAM_ID_PATTERN and
// DEFAULT_PROGRAM_ID, messages/quiet-hours.ts QUIET_TIME_PATTERN, messages/settings.ts ALERT_KINDS,
// ALERT_ADDRESS_SEPARATOR, ALERT_ADDRESS_PATTERN and unnamedLocationLine, format/money-text.ts DEFAULT_LOCALE,
// match/operator-settings.ts MATCH_DEFAULTS, backfill/window-fields.ts backfillWindowOf, sources/history/offline-grace.ts
// offlineGraceHoursOf and sources/history/index.ts OFFLINE_GRACE_SOURCES, crm/crm-names.ts
// SAAS_CRM_NAMES, config/settings.ts REGIONS and DEFAULT_REGION, terminal-push/sale-fields.ts SALE_CURRENCY and
// saleMinorUnits, terminal-push/vendor-amounts.ts PROCESSOR_AMOUNT_RULES, PROCESSOR_NAMES and processorAmount,
// node-red/shared/http-route.ts TRIGGER_PATH, temporal/connection-config.ts TEMPORAL_ADDRESS, config/port.ts
// PORT_PATTERN, http/web-url.ts webUrlFault, sources/adyen-terminal.ts adyenKeyVersionOf and ADYEN_LIVE_WORDS,
// config/flag.ts flagValueOf) on every build: edit those, not this file.
(function (root) {
  var EXPONENTS = ${JSON.stringify(EXPONENT_OVERRIDES)};
  var MAX_MINOR_UNITS = ${MAX_MINOR_UNITS};
  var PROGRAM_CURRENCIES = ${JSON.stringify(PROGRAM_CURRENCIES)};
  var PROGRAM_ID = new RegExp(${JSON.stringify(PROGRAM_ID_PATTERN.source)}, ${JSON.stringify(PROGRAM_ID_PATTERN.flags)});
  var DEFAULT_PROGRAM_ID = ${JSON.stringify(DEFAULT_PROGRAM_ID)};
  var QUIET_TIME = new RegExp(${JSON.stringify(QUIET_TIME_PATTERN.source)}, ${JSON.stringify(QUIET_TIME_PATTERN.flags)});
  var ALERT_KINDS = ${JSON.stringify(ALERT_KINDS)};
  var ALERT_SEPARATOR = new RegExp(${JSON.stringify(ALERT_ADDRESS_SEPARATOR.source)}, ${JSON.stringify(ALERT_ADDRESS_SEPARATOR.flags)});
  var ALERT_ADDRESS = new RegExp(${JSON.stringify(ALERT_ADDRESS_PATTERN.source)}, ${JSON.stringify(ALERT_ADDRESS_PATTERN.flags)});
  var DEFAULT_LOCALE = ${JSON.stringify(DEFAULT_LOCALE)};
  var unnamedLocationLine = ${unnamedLocationLineSource};
  var backfillWindowOf = ${backfillWindowOfSource};
  var offlineGraceHoursOf = ${offlineGraceHoursOfSource};
  var OFFLINE_GRACE_SOURCES = ${JSON.stringify(OFFLINE_GRACE_SOURCES)};
  var SAAS_CRM_NAMES = ${JSON.stringify(SAAS_CRM_NAMES)};
  var REGIONS = ${JSON.stringify(REGIONS)};
  var DEFAULT_REGION = ${JSON.stringify(DEFAULT_REGION)};
  var saleMinorUnits = ${saleMinorUnitsSource};
  var PROCESSOR_AMOUNT_RULES = ${JSON.stringify(PROCESSOR_AMOUNT_RULES)};
  var PROCESSOR_NAMES = ${JSON.stringify(PROCESSOR_NAMES)};
  var processorAmount = ${processorAmountSource};
  var webUrlFault = ${webUrlFaultSource};
  var adyenKeyVersionOf = ${adyenKeyVersionOfSource};
  var flagValueOf = ${flagValueOfSource};
  var ADYEN_LIVE_WORDS = ${JSON.stringify(ADYEN_LIVE_WORDS)};
  var TRIGGER_PATH = new RegExp(${JSON.stringify(TRIGGER_PATH.source)}, ${JSON.stringify(TRIGGER_PATH.flags)});
  var PORT = new RegExp(${JSON.stringify(`^${PORT_PATTERN}$`)});
  var TEMPORAL_ADDRESS = [${TEMPORAL_ADDRESS.map((p) => `new RegExp(${JSON.stringify(p.source)}, ${JSON.stringify(p.flags)})`).join(', ')}];
  var CURRENCY = new RegExp(${JSON.stringify(CURRENCY_PATTERN.source)}, ${JSON.stringify(CURRENCY_PATTERN.flags)});
  var SALE_CURRENCY = new RegExp(${JSON.stringify(SALE_CURRENCY.source)}, ${JSON.stringify(SALE_CURRENCY.flags)});
  function code(currency) { return typeof currency === 'string' ? currency.trim().toUpperCase() : ''; }
  function exponent(currency) {
    var c = code(currency);
    return Object.prototype.hasOwnProperty.call(EXPONENTS, c) ? EXPONENTS[c] : 2;
  }
  /** A processor's PROCESSOR_AMOUNT_RULES, or none for a name that is not one. */
  function rulesOf(processor) {
    return typeof processor === 'string' && Object.prototype.hasOwnProperty.call(PROCESSOR_AMOUNT_RULES, processor) ? PROCESSOR_AMOUNT_RULES[processor] : undefined;
  }
  /** A number typed in the currency (19.99) in minor units at its exponent, rounded as minorUnitsOf rounds it (1999). */
  function minorUnits(n, currency) { return Math.round(n * Math.pow(10, exponent(currency))); }
  root.terminalCrmCore = {
    minorUnits: minorUnits,
    /** A number typed in the currency (500, 19.99) holds no more minor units than an amount setting can. */
    withinMinorUnits: function (n, currency) { return minorUnits(n, currency) <= MAX_MINOR_UNITS; },
    /** A loyalty program's currency as typed (" usd "): one the program takes, not a fund code or a made-up one. */
    loyaltyCurrency: function (v) { return PROGRAM_CURRENCIES.indexOf(code(v)) >= 0; },
    /**
     * A loyalty program's id as typed (" vip-club "), trimmed, empty the default: one a program may have. As the run
     * reads it: a number or a switch is its text, an object or a list none.
     */
    loyaltyProgramId: function (v) {
      if (v !== null && typeof v === 'object') return false;
      return PROGRAM_ID.test((v === undefined || v === null ? '' : String(v).trim()) || DEFAULT_PROGRAM_ID);
    },
    /** A time quiet hours start or end at, as parseQuietHours takes it ("21:30", not " 21:30" or "9:30"). */
    quietTime: function (v) { return typeof v === 'string' && QUIET_TIME.test(v); },
    /**
     * A message's Alert to as parseMessageSettings reads it for the message kind (as the form holds it): for an
     * alert, empty or every address of the list ("sales@shop.com, ops@shop.com") one the run takes; else not read.
     */
    alertTo: function (v, kind) {
      var k = String(kind === undefined || kind === null ? 'thank-you' : kind).trim().toLowerCase();
      var to = typeof v === 'string' ? v.trim() : '';
      if (ALERT_KINDS.indexOf(k) < 0 || !to) return true;
      return to.split(ALERT_SEPARATOR).every(function (a) { return ALERT_ADDRESS.test(a.trim()); });
    },
    /**
     * A message's Locale as parseMessageSettings reads it (trimmed, empty the default): a well-formed BCP 47 tag
     * ("de-DE", not "de_DE"). Whether the runtime has the locale's data is the runtime's to say, not the browser's.
     */
    locale: function (v) {
      try {
        Intl.getCanonicalLocales((typeof v === 'string' ? v.trim() : '') || DEFAULT_LOCALE);
        return true;
      } catch (e) {
        return false;
      }
    },
    /**
     * A message's Locations as parseLocationNames reads them: empty; an object; or text that, trimmed, is a JSON
     * object if it starts with "{", else "id=Name" lines (blank lines skipped) each with an id before its "=".
     */
    locationNames: function (v) {
      if (!v) return true;
      if (typeof v === 'object') return !Array.isArray(v);
      if (typeof v !== 'string') return false;
      var text = v.trim();
      if (text.charAt(0) !== '{') return unnamedLocationLine(text) === undefined;
      try {
        var parsed = JSON.parse(text);
        return !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
      } catch (e) {
        return false;
      }
    },
    /** A backfill's Since, Until and Page size as backfillRequestOf reads them (backfillWindowOf). */
    backfillWindow: backfillWindowOf,
    /** A backfill's Offline grace as backfillRequestOf reads it (offlineGraceOf): blank, or 1 to 720 hours for a source that takes one. */
    offlineGrace: function (v, source) {
      var hours = offlineGraceHoursOf(v);
      return hours === undefined || (hours !== null && OFFLINE_GRACE_SOURCES.indexOf(source) >= 0);
    },
    /** A CRM as typed where a SaaS CRM is named (" HubSpot "), trimmed and lower-cased: empty (none) or one the pack has. */
    saasCrm: function (v) {
      var c = typeof v === 'string' ? v.trim().toLowerCase() : '';
      return !c || SAAS_CRM_NAMES.indexOf(c) >= 0;
    },
    /**
     * The store's Default region as the store node hands it to parseRegion: empty (or no text) the default, else
     * trimmed and upper-cased (" gb "), a country libphonenumber knows.
     */
    region: function (v) {
      return REGIONS.indexOf((typeof v === 'string' && v ? v : DEFAULT_REGION).trim().toUpperCase()) >= 0;
    },
    /** A sale's Currency as saleFromFields reads it (trimmed, upper-cased): empty (a message gives it) or a code. */
    saleCurrency: function (v) {
      var c = code(v);
      return !c || SALE_CURRENCY.test(c);
    },
    /**
     * A sale's Amount as saleFromFields reads it (saleMinorUnits) in its unit ("major" when empty) and currency and, with
     * a processor ('stripe', 'square', 'adyen'), as that processor's adapter then takes it (processorAmount by its
     * PROCESSOR_AMOUNT_RULES: MGA 12.50 is no amount for Stripe, KWD 12.345 neither): empty (a message gives it), else
     * an amount above 0 the processor can charge exactly in the currency — in some currency while the Currency is no
     * code (empty: a message gives it; else the Currency is what is marked). Every currency neither the ISO table
     * nor the processor's lists behaves as USD does, so USD and the listed ones stand for them all.
     */
    saleAmount: function (v, unit, currency, processor) {
      var written = typeof v === 'number' ? v : typeof v === 'string' ? v.trim() : '';
      if (written === '') return true;
      var u = (typeof unit === 'string' ? unit.trim() : '') || 'major';
      var rules = rulesOf(processor);
      var currencies = SALE_CURRENCY.test(code(currency)) ? [code(currency)] : ['USD'].concat(Object.keys(EXPONENTS), rules ? Object.keys(rules.exponents) : []);
      return currencies.some(function (c) {
        var minor = saleMinorUnits(written, u, exponent(c));
        return typeof minor === 'number' && (!rules || !('fault' in processorAmount(minor, c, exponent(c), rules)));
      });
    },
    /**
     * Why the processor refuses a sale's Amount that saleFromFields takes, in the Currency (a code), as the dialog
     * says it ("Stripe charges MGA in steps of 1 MGA"); undefined when it takes it, or when saleFromFields refuses it.
     */
    saleAmountProcessorRefusal: function (v, unit, currency, processor) {
      var written = typeof v === 'number' ? v : typeof v === 'string' ? v.trim() : '';
      var c = code(currency);
      var rules = rulesOf(processor);
      if (written === '' || !rules || !SALE_CURRENCY.test(c)) return undefined;
      var minor = saleMinorUnits(written, (typeof unit === 'string' ? unit.trim() : '') || 'major', exponent(c));
      if (typeof minor !== 'number') return undefined;
      var r = processorAmount(minor, c, exponent(c), rules);
      if (!('fault' in r)) return undefined;
      var name = PROCESSOR_NAMES[processor];
      if (r.fault === 'too large') return 'more than ' + name + ' can charge in ' + c;
      if (r.fault === 'too many digits') return 'more digits than the JSON number ' + name + ' reads keeps exactly; at most 15';
      var step = processorAmount(r.step, c, exponent(c), { exponents: {}, multipleOf: {}, written: 'minor' }).decimal;
      return name + ' charges ' + c + ' in steps of ' + step + ' ' + c + ' (' + r.step + ' in minor units)';
    },
    /** A trigger's Path as triggerPath reads it: trimmed, empty the source's default, else only TRIGGER_PATH's characters. */
    triggerPath: function (v) {
      var p = typeof v === 'string' ? v.trim() : '';
      return !p || TRIGGER_PATH.test(p);
    },
    /**
     * Send Message's SMTP Port as smtpPort reads it: empty its default (587), a number by its decimal text, text
     * trimmed, each a port by the one rule (PORT).
     */
    smtpPort: function (v) {
      var t = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : v == null ? '' : null;
      return t === '' || (t !== null && PORT.test(t));
    },
    /** A Temporal server's Address as temporalTargetOf reads it: trimmed, empty the default, else host[:port]. */
    temporalAddress: function (v) {
      var a = typeof v === 'string' ? v.trim() : '';
      return !a || TEMPORAL_ADDRESS.some(function (p) { return p.test(a); });
    },
    /**
     * A URL setting as the run reads it (webUrlFault): trimmed, empty the default or unset, else http(s)://host…
     * of its kind ('base': no query or fragment; 'origin': no path either; 'full': a query allowed), https only
     * where httpsOnly is true. A value naming an environment variable (\${HUBSPOT_BASE_URL}) is what Node-RED fills
     * in at deploy, which only the run sees.
     */
    webUrl: function (v, kind, httpsOnly) {
      var t = typeof v === 'string' ? v.trim() : '';
      return !t || /\\$\\{[^}]+\\}/.test(t) || webUrlFault(t, kind || 'base', !!httpsOnly) === undefined;
    },
    /**
     * An Adyen Terminal account's Key Version as the account node hands it to the source (text trimmed, a switch as it
     * is, anything else blank) and adyenKeyVersionOf reads it: blank (no terminal key) or digits alone for 1 up to
     * the int32's largest. A value naming an environment variable (\${ADYEN_TERMINAL_KEY_VERSION}) is what Node-RED
     * fills in at deploy, which only the run sees.
     */
    adyenKeyVersion: function (v) {
      if (typeof v === 'boolean') return false;
      var t = typeof v === 'string' ? v.trim() : '';
      return /^\\$\\{[^}]+\\}$/.test(t) || adyenKeyVersionOf(t) !== null;
    },
    /**
     * An Adyen Terminal account's Live account as the account node hands it to the source (a switch as it is, text
     * trimmed, anything else blank) and the schema reads it: the checkbox's true or false, or text (an imported
     * flow's) that flagValueOf reads by ADYEN_LIVE_WORDS ("live", "test"; not "ture").
     */
    adyenLive: function (v) {
      return typeof v !== 'string' || flagValueOf(v, ADYEN_LIVE_WORDS) !== null;
    },
    /**
     * A Clover account's Currency as the account node hands it to the source (text trimmed, a switch as it is,
     * anything else blank) and the schema reads it: blank (USD, or the order's) or three letters (CURRENCY_PATTERN).
     */
    cloverCurrency: function (v) {
      if (typeof v === 'boolean') return false;
      var t = typeof v === 'string' ? v.trim() : '';
      return /^\\$\\{[^}]+\\}$/.test(t) || !t || CURRENCY.test(t);
    },
    /** Match Customer's Link and Review thresholds when left empty. */
    matchThresholds: { linkThreshold: ${MATCH_DEFAULTS.linkThreshold}, reviewThreshold: ${MATCH_DEFAULTS.reviewThreshold} },
  };
})(window);
`,
);
