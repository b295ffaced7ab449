/** URL settings as operators type them: what every working setup uses, and every way one goes wrong. */
export const URL_VALUES: readonly string[] = [
  'https://api.hubapi.com', 'https://api.hubapi.com/', ' https://api.hubapi.com ', 'HTTPS://API.HUBAPI.COM', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080/hubspot/',
  'http://localhost:3000', 'http://[::1]:8080', 'https://proxy.example.com/square', 'https://user:pw@proxy.example.com', 'https://acme.my.salesforce.com',
  'https://contoso.crm.dynamics.com', 'https://contoso.crm.dynamics.com/', 'https://contoso.crm.dynamics.com/main.aspx', 'https://pay.example.com/webhook/sq?shop=1',
  'api.hubapi.com', 'api.hubapi.com:443', 'localhost:8080', '//api.hubapi.com', 'https:api.hubapi.com', 'https:/api.hubapi.com', 'ftp://api.hubapi.com',
  'mailto:ops@example.com', 'javascript:alert(1)', 'wss://api.hubapi.com', 'https://', 'http://:8080', 'https://user@', 'https://api hubapi.com',
  'https://api.hubapi.com/v3 x', 'https://api.hubapi.com?', 'https://api.hubapi.com/?portal=1', 'https://api.hubapi.com#top', 'https://api.hubapi.com:99999',
  'https://api.hubapi.com:port', 'https://[::1', 'https://api.hubapi.com\t', 'http://127.0.0.1:8080/a#', 'https://exa%mple.com',
];
