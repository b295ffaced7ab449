import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Values the sandbox makes up on its first run and must keep: tokens, signatures and logins depend on them. */
export interface SandboxSecrets {
  /** TERMINAL_CRM_TOKEN_KEYS format: a new key changes every card token, so it is kept. */
  tokenKeys: string;
  /** The simulator signs with it and the three engines check it. */
  webhookSecret: string;
  /** The n8n owner's password. */
  n8nPassword: string;
  /** Node-RED encrypts the deployed credentials with it. */
  nodeRedCredentialSecret: string;
  /** The other sources' keys, each in the form its processor issues it (see source-keys.ts). */
  squareSignatureKey: string;
  adyenHmacKey: string;
  adyenTerminalPassphrase: string;
  zettleSigningKey: string;
  cloverAuthCode: string;
  cloverApiToken: string;
  sumupAccessToken: string;
  sumupWebhookSecret: string;
  genericWebhookSecret: string;
}

export const SECRETS_FILE = 'sandbox-secrets.json';

function generate(): SandboxSecrets {
  return {
    tokenKeys: `k1:${randomBytes(32).toString('hex')}`,
    webhookSecret: `whsec_sandbox_${randomBytes(24).toString('base64url')}`,
    // n8n's own rules for a password: 8+ characters with a digit and a capital letter.
    n8nPassword: `Sandbox-${randomBytes(6).toString('base64url')}-1`,
    nodeRedCredentialSecret: randomBytes(24).toString('hex'),
    squareSignatureKey: randomBytes(16).toString('base64url'),
    // Adyen's Customer Area shows a 64-byte key in hex.
    adyenHmacKey: randomBytes(64).toString('hex').toUpperCase(),
    adyenTerminalPassphrase: randomBytes(18).toString('base64url'),
    zettleSigningKey: randomBytes(32).toString('base64url'),
    cloverAuthCode: randomUUID(),
    cloverApiToken: randomUUID(),
    sumupAccessToken: `sup_sk_${randomBytes(24).toString('base64url')}`,
    sumupWebhookSecret: randomBytes(32).toString('hex'),
    // Standard Webhooks secrets: "whsec_" and the base64 of 24 to 64 random bytes.
    genericWebhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
  };
}

/**
 * The state folder's secrets file, created (mode 600) on the first run. A value missing from an older file is
 * generated and added, never replaced.
 */
export function loadSandboxSecrets(dir: string): { secrets: SandboxSecrets; file: string } {
  const file = join(dir, SECRETS_FILE);
  let stored: Partial<SandboxSecrets> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxSecrets>;
    } catch (e) {
      throw new Error(`${file} is not valid JSON (${(e as Error).message}). Fix: repair it, or delete it to get new secrets (card tokens made with the old key will no longer match)`);
    }
  }
  const fresh = generate();
  const secrets = Object.fromEntries(
    (Object.keys(fresh) as Array<keyof SandboxSecrets>).map((k) => [k, typeof stored[k] === 'string' && stored[k] ? stored[k] : fresh[k]]),
  ) as unknown as SandboxSecrets;
  if (JSON.stringify(secrets) !== JSON.stringify(stored)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
  return { secrets, file };
}
