import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  ms: number;
}

/** Runs a command to completion; a non-zero exit fails with the command line and the end of its output. */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve({ stdout, ms: performance.now() - startedAt });
      reject(new Error(`\`${command} ${args.join(' ')}\` (in ${options.cwd}) exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}
