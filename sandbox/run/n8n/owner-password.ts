import { createRequire } from 'node:module';
import { join } from 'node:path';

interface Bcrypt {
  hashSync(password: string, rounds: number): string;
}

/**
 * bcrypt of the owner's password, made with the bcryptjs n8n itself depends on (resolved from n8n's own install),
 * so the pack needs no bcrypt of its own and the hash is one n8n's login accepts.
 */
export function hashOwnerPassword(n8nInstallDir: string, password: string): string {
  const fromN8n = createRequire(join(n8nInstallDir, 'node_modules', 'n8n', 'package.json'));
  let bcrypt: Bcrypt;
  try {
    bcrypt = fromN8n('bcryptjs') as Bcrypt;
  } catch (e) {
    throw new Error(`cannot load bcryptjs from the n8n install in ${n8nInstallDir} (${(e as Error).message}). Fix: delete that folder and run \`terminal-crm setup\` again`);
  }
  return bcrypt.hashSync(password, 10);
}
