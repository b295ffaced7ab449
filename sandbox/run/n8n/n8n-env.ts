/**
 * The one module of n8n 2.39 that calls n8n's cloud at start (it fetches an MCP server list from api.n8n.io and
 * logs errors when offline). Disabling more modules made no measurable difference to start-up, and n8n refuses
 * to start on a module name it does not know, so the list stays this short.
 */
export const UNNEEDED_MODULES = ['mcp-registry'];

export interface N8nOwner {
  email: string;
  /** bcrypt hash of the password (see hashOwnerPassword): n8n only accepts a pre-hashed one from the environment. */
  passwordHash: string;
}

export interface N8nEnvOptions {
  userFolder: string;
  port: number;
  brokerPort: number;
  owner: N8nOwner;
  /** Unset: n8n makes one on first start and keeps it in <userFolder>/.n8n/config (what a persistent folder wants). */
  encryptionKey?: string;
  /** Required by n8n's task broker even in external mode; any random string. */
  runnersAuthToken: string;
}

/**
 * Everything `n8n start` (2.39) needs to come up headless, private and fast: its own folder and SQLite database,
 * loopback-only ports, the owner from the environment (so the REST API can be used at once, and the password
 * is whatever the environment says on every start), nothing phoning home.
 */
export function n8nEnv(o: N8nEnvOptions): Record<string, string> {
  return {
    N8N_USER_FOLDER: o.userFolder,
    N8N_PORT: String(o.port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    // Plain http on loopback: a Secure cookie would make some browsers refuse the login.
    N8N_SECURE_COOKIE: 'false',
    DB_TYPE: 'sqlite',
    ...(o.encryptionKey ? { N8N_ENCRYPTION_KEY: o.encryptionKey } : {}),
    N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
    N8N_INSTANCE_OWNER_EMAIL: o.owner.email,
    N8N_INSTANCE_OWNER_PASSWORD_HASH: o.owner.passwordHash,
    // The workflow has no Code node, so no task runner is needed: "external" mode starts no runner process
    // (one fewer process to stop). The broker still listens, so it gets its own port too.
    N8N_RUNNERS_MODE: 'external',
    N8N_RUNNERS_AUTH_TOKEN: o.runnersAuthToken,
    N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
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
