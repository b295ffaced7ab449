import { z } from 'zod/v4';

/**
 * A CRM's API or token address as a setting gives it: http or https only (a proxy, a sandbox or a local mock may be
 * plain http), so a mistyped scheme fails here, naming the setting, instead of on the first request.
 */
export const webUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, such as https://api.example.com' });
