/**
 * How big mail providers deliver: which ignore dots in the local part, which deliver "name+tag@" to "name@",
 * and which domains are one mailbox under two names. Facts about the providers' own documented behaviour;
 * operators can add their own domains through the match configuration.
 */
export const DOT_INSENSITIVE_DOMAINS: readonly string[] = ['gmail.com', 'googlemail.com'];

export const PLUS_TAG_DOMAINS: readonly string[] = [
  'gmail.com', 'googlemail.com',
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'outlook.de', 'hotmail.co.uk', 'hotmail.fr', 'live.co.uk',
  'icloud.com', 'me.com', 'mac.com',
  'fastmail.com', 'fastmail.fm',
  'protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me',
  'hey.com', 'zoho.com', 'yandex.ru', 'yandex.com', 'ya.ru', 'posteo.de', 'mailbox.org', 'tutanota.com',
];

export const DOMAIN_ALIASES: Readonly<Record<string, string>> = { 'googlemail.com': 'gmail.com' };

export interface EmailRules {
  /** Extra domains whose mail server ignores dots in the local part. */
  dotInsensitiveDomains?: readonly string[];
  /** Extra domains that deliver "name+anything@domain" to "name@domain" (e.g. your company's own domain). */
  plusTagDomains?: readonly string[];
}

export interface CompiledEmailRules {
  dots: ReadonlySet<string>;
  plus: ReadonlySet<string>;
}

const lower = (domains: readonly string[] = []) => domains.map((d) => d.trim().toLowerCase()).filter(Boolean);

export function compileEmailRules(rules: EmailRules = {}): CompiledEmailRules {
  return {
    dots: new Set([...DOT_INSENSITIVE_DOMAINS, ...lower(rules.dotInsensitiveDomains)]),
    plus: new Set([...PLUS_TAG_DOMAINS, ...lower(rules.plusTagDomains)]),
  };
}

export const DEFAULT_EMAIL_RULES = compileEmailRules();
