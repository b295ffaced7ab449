import { randomBytes } from 'node:crypto';

/** The instance owner n8n creates at start from the environment (N8N_INSTANCE_OWNER_MANAGED_BY_ENV). */
export const E2E_OWNER = {
  email: 'owner@terminal-crm.test',
  password: 'Terminal-crm-e2e-1',
  // bcrypt of the password above, as n8n requires a pre-hashed one; made with bcryptjs.hashSync(password, 10).
  passwordHash: '$2a$10$Seg2/2NQXSoZdh/Y8swyYOVz/sLcNMPJON5GjFkW5ffRwXd3NeMIi',
};

/**
 * The one module of n8n 2.39 that calls n8n's cloud at start (it fetches an MCP server list from api.n8n.io and
 * logs errors when offline). Disabling more modules made no measurable difference to start-up, and n8n refuses
 * to start on a module name it does not know, so the list stays this short.
 */
export const UNNEEDED_MODULES = ['mcp-registry'];

export interface N8nEnvOptions {
  userFolder: string;
  port: number;
  brokerPort: number;
}

/**
 * Everything `n8n start` (2.39) needs to come up headless, private and fast for a test: its own folder and
 * SQLite database, loopback-only ports, an owner from the environment (so the REST API can be used at once),
 * nothing phoning home.
 */
export function n8nEnv({ userFolder, port, brokerPort }: N8nEnvOptions): Record<string, string> {
  return {
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    DB_TYPE: 'sqlite',
    N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
    N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
    N8N_INSTANCE_OWNER_EMAIL: E2E_OWNER.email,
    N8N_INSTANCE_OWNER_PASSWORD_HASH: E2E_OWNER.passwordHash,
    // The workflow has no Code node, so no task runner is needed: "external" mode starts no runner process
    // (one fewer process to stop). The broker still listens, so it gets its own free port too.
    N8N_RUNNERS_MODE: 'external',
    N8N_RUNNERS_AUTH_TOKEN: randomBytes(16).toString('hex'),
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_DISABLED_MODULES: UNNEEDED_MODULES.join(','),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_DYNAMIC_BANNERS_ENABLED: 'false',
    N8N_PUBLIC_API_DISABLED: 'true',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
    N8N_LOG_LEVEL: 'info',
    N8N_LOG_OUTPUT: 'console',
    NO_COLOR: '1',
  };
}
