import { webUrlSetting } from '../../http/web-url';

/**
 * A CRM's API address as a setting gives it (http/web-url.ts webUrlFault): http or https (a proxy, a sandbox or a
 * local mock may be plain http), no query or fragment, trailing slashes dropped, so a mistyped one fails here,
 * naming the setting, instead of on the first request. `example` says what to write.
 */
export const webUrl = (example: string) => webUrlSetting({ example: `e.g. ${example}` });

/** A token endpoint, used as it is (a query kept, trailing slashes too). */
export const tokenEndpointUrl = (example: string) => webUrlSetting({ kind: 'full', example: `e.g. ${example}` });
