#!/usr/bin/env node
// The pack's single command-line entry: `terminal-crm <command>`. Commands live in bin/commands/.
import { runCli } from './cli';
import { COMMANDS } from './commands';

void runCli(process.argv.slice(2), COMMANDS).then((code) => {
  process.exitCode = code;
});
