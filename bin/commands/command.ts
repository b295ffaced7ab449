/** Where a command writes: `out` for results (stdout), `err` for progress and errors (stderr). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * One `terminal-crm <name>` subcommand. Add a command by writing `bin/commands/<name>.ts`
 * exporting one of these and listing it in bin/commands/index.ts.
 */
export interface Command {
  name: string;
  /** One line, shown by `terminal-crm --help`. */
  summary: string;
  /** Full help, shown by `terminal-crm <name> --help`. */
  usage: string;
  /** Resolves with the exit code; throw for failures (the message is printed, exit code 1). */
  run(args: string[], io: CliIo): Promise<number>;
}
