import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo, Command } from './commands/command';
import { damerauWithin } from '../nodes/core/match/edit-distance';
import { scrubbedError } from '../nodes/core/tokenize/scrub-error';

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

/**
 * Node's own words for a mistyped option ("To specify a positional argument starting with a '-', place it at the end
 * of the command after '--'") send the operator the wrong way; the command's help names its options, so the nearest
 * one is offered.
 */
function unknownOption(command: Command, message: string): string {
  const typed = /'(-[^']*)'/.exec(message)?.[1] ?? 'that option';
  const flag = typed.split('=')[0]!;
  const options = [...new Set(command.usage.match(/--[a-z][a-z0-9-]*/g) ?? [])];
  const near = options.map((o) => ({ o, d: damerauWithin(flag, o, 2) })).filter(({ d }) => d <= 2).sort((x, y) => x.d - y.d)[0]?.o;
  return `${flag} is not an option of ${command.name}. Fix: ${near ? `did you mean ${near}? ` : ''}\`terminal-crm ${command.name} --help\` lists its options`;
}

/** Dispatches `argv` (without node and script) to a command; resolves with the process exit code. */
export async function runCli(argv: readonly string[], commands: readonly Command[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || isHelp(name) || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (name === 'help' && rest[0] !== undefined && !topic) {
      io.err(`terminal-crm: unknown command "${rest[0]}"\n\n${mainHelp(commands)}`);
      return 2;
    }
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
      const message = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownOption(command, (error as Error).message) : (error as Error).message;
      io.err(`terminal-crm ${name}: ${message}\n\n${command.usage}`);
      return 2;
    }
    // A library's or a vendor's words (a driver quoting the value it choked on, an API error quoting a request) may
    // hold a card number; a terminal's scrollback and a cron job's mail keep what is printed here.
    const failure = scrubbedError(error);
    io.err(`\nterminal-crm ${name} failed.\n${failure.message}\n`);
    if (process.env.TERMINAL_CRM_DEBUG === '1' && failure.stack) io.err(`${failure.stack}\n`);
    return 1;
  }
}
