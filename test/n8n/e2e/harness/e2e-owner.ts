/** The instance owner the e2e n8n is started with (a fixed test password, never used outside tests). */
export const E2E_OWNER = {
  email: 'owner@terminal-crm.test',
  password: 'Terminal-crm-e2e-1',
  // bcrypt of the password above, made once with bcryptjs.hashSync(password, 10), so tests skip the hashing.
  passwordHash: '$2a$10$Seg2/2NQXSoZdh/Y8swyYOVz/sLcNMPJON5GjFkW5ffRwXd3NeMIi',
};
