import { parseArgs } from 'node:util';
import { InputError } from '../../nodes/core/errors';
import { urlSettingOf } from '../../nodes/core/http/web-url';
import { installIntoN8n } from '../templates/install-n8n';
import { installIntoNodeRed } from '../templates/install-node-red';
import { shippedTemplates, type ShippedTemplate, type TemplateEngine } from '../templates/template-catalog';
import type { CliIo, Command } from './command';

const usage = `Usage: terminal-crm templates [list] [--json]
       terminal-crm templates install NAME|all --n8n URL [--api-key KEY]
       terminal-crm templates install NAME|all --node-red URL [--token TOKEN]

Lists the templates this package ships (n8n workflows and Node-RED example flows), or
installs them into a running engine, so nobody has to find and upload JSON files:

  n8n        through its public API: a new, inactive workflow per template. Create an
             API key under Settings → n8n API (the public API must be on:
             N8N_PUBLIC_API_DISABLED is not true). Then open the workflow, choose the
             credentials its sticky notes name, and publish it.
  Node-RED   through its Admin API: a new tab per template, next to the running flows.
             Open it, fill in the config nodes its comments name, and Deploy.

Options:
  --n8n URL          n8n's address, such as http://localhost:5678
  --api-key KEY      the n8n API key (default: N8N_API_KEY)
  --node-red URL     Node-RED's address, such as http://localhost:1880
  --token TOKEN      a Node-RED Admin API token, when adminAuth is on (default: NODE_RED_TOKEN)
  --json             print the result as JSON
  -h, --help         show this help
`;

function list(io: CliIo, json: boolean): number {
  const all = shippedTemplates();
  if (json) {
    io.out(`${JSON.stringify(all.map(({ engine, name, title }) => ({ engine, name, title })))}\n`);
    return 0;
  }
  for (const engine of ['n8n', 'node-red'] as const) {
    io.out(`${engine === 'n8n' ? 'n8n' : 'Node-RED'}:\n`);
    for (const t of all.filter((x) => x.engine === engine)) io.out(`  ${t.name.padEnd(24)} ${t.title}\n`);
  }
  io.out('Install one with: terminal-crm templates install NAME --n8n URL (or --node-red URL)\n');
  return 0;
}

function chosen(engine: TemplateEngine, name: string): ShippedTemplate[] {
  const mine = shippedTemplates().filter((t) => t.engine === engine);
  if (name === 'all') return mine;
  const found = mine.filter((t) => t.name === name);
  if (found.length === 0) throw new InputError('NAME', `"${name}" is not a ${engine} template of this package`, `choose one of: ${mine.map((t) => t.name).join(', ')}, or all`);
  return found;
}

export const templatesCommand: Command = {
  name: 'templates',
  summary: 'list the shipped templates, or install them into a running n8n or Node-RED',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { n8n: { type: 'string' }, 'api-key': { type: 'string' }, 'node-red': { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    const [action = 'list', name, ...rest] = positionals;
    if (action === 'list') return list(io, values.json ?? false);
    if (action !== 'install') throw new InputError('action', `"${action}" is not something templates does`, 'use "list" or "install NAME"');
    if (!name) throw new InputError('NAME', 'is missing', 'name the template to install (see terminal-crm templates list), or all');
    if (rest.length) throw new InputError('arguments', `"${rest.join(' ')}" is not understood`, 'give one template name');

    // Checked before anything is sent: "localhost:5678" without http:// would only fail as an address that did not answer.
    const n8nUrl = urlSettingOf('--n8n', values.n8n, { kind: 'base', example: "write n8n's address whole, such as http://localhost:5678" });
    const nodeRedUrl = urlSettingOf('--node-red', values['node-red'], { kind: 'base', example: "write Node-RED's address whole, such as http://localhost:1880" });
    if (!n8nUrl === !nodeRedUrl) throw new InputError('--n8n / --node-red', 'choose exactly one engine', 'pass --n8n URL or --node-red URL');

    const results: unknown[] = [];
    if (n8nUrl) {
      const apiKey = values['api-key'] ?? process.env.N8N_API_KEY ?? '';
      if (!apiKey) throw new InputError('--api-key', 'is missing', 'create an API key under Settings → n8n API and pass it with --api-key or N8N_API_KEY');
      for (const t of chosen('n8n', name)) {
        const w = await installIntoN8n(n8nUrl, apiKey, t);
        results.push({ engine: 'n8n', template: t.name, ...w });
        if (!values.json) io.out(`${t.name}: workflow "${w.name}" created, inactive — open ${w.editorUrl}, choose its credentials, publish\n`);
      }
    } else {
      const token = values.token ?? process.env.NODE_RED_TOKEN;
      for (const t of chosen('node-red', name)) {
        const f = await installIntoNodeRed(nodeRedUrl!, t, token);
        results.push({ engine: 'node-red', template: t.name, ...f });
        if (!values.json) io.out(`${t.name}: tab "${f.label}" added (${f.nodes} nodes) — open it in the editor, fill in its config nodes, Deploy\n`);
      }
    }
    if (values.json) io.out(`${JSON.stringify(results)}\n`);
    return 0;
  },
};
