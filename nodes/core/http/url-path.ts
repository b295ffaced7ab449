/**
 * A request's URL as a message may show it: the path only, no host and no query string (search terms such as an
 * email travel in it).
 */
export function pathOf(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '').replace(/[?#].*$/s, '') || '/';
}
