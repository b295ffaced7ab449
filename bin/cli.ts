import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo, Command } from './commands/command';

export const stdio: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

function packageVersion(): string {
  // dist/bin/cli.js (or build/bin/cli.js) -> package.json at the pack's root
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: terminal-crm <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (or `terminal-crm <command> --help`)',
    '  --version      print the version',
    '',
  ].join('\n');
}

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/** Dispatches `argv` (without node and script) to a command; resolves with the process exit code. */
export async function runCli(argv: readonly string[], commands: readonly Command[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || isHelp(name) || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? topic.usage : mainHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`terminal-crm: unknown command "${name}"\n\n${mainHelp(commands)}`);
    return 2;
  }
  const beforeDashDash = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (beforeDashDash.some(isHelp)) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`terminal-crm ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`\nterminal-crm ${name} failed.\n${message}\n`);
    if (process.env.TERMINAL_CRM_DEBUG === '1' && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return 1;
  }
}
