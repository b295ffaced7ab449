import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { ICredentialType } from 'n8n-workflow';

const REPO = resolve(__dirname, '../../..');
const README_URL = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm';
const pack = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };

/**
 * The anchor GitHub gives a heading's text: lower case, every character but letters, marks, numbers, connector
 * punctuation ("_"), hyphens and spaces dropped, each space a hyphen (so "a — b" is "a--b").
 */
function githubSlug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** A heading's text as GitHub renders it: code spans, emphasis and links reduced to their words, HTML tags dropped. */
function headingText(markdown: string): string {
  return markdown
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*(.+?)\*\*|\*(.+?)\*/g, (_, strong: string | undefined, em: string | undefined) => strong ?? em ?? '')
    // Underscores emphasise only at word edges: terminal_crm_id stays as it is.
    .replace(/(^|\W)(__|_)(.+?)\2(?=\W|$)/g, '$1$3')
    .trim();
}

/** Every anchor a README has, from its ATX headings outside fenced code; a repeated one gets -1, -2… as on GitHub. */
function readmeAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1]![0]!.repeat(f[1]!.length);
      else if (f[1]!.startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence) continue;
    const h = /^ {0,3}#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const slug = githubSlug(headingText(h[1]!));
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

interface Link {
  /** Where the link is, relative to the repository. */
  from: string;
  anchor: string;
}

/** The credentials n8n loads (the compiled classes package.json registers) and the README anchor of each documentationUrl. */
function credentialLinks(): { links: Link[]; problems: string[] } {
  const links: Link[] = [];
  const problems: string[] = [];
  for (const file of pack.n8n.credentials) {
    const mod = require(resolve(__dirname, '../..', file.replace(/^dist\//, ''))) as Record<string, new () => ICredentialType>;
    const Cls = Object.values(mod).find((v) => typeof v === 'function')!;
    const credential = new Cls();
    const from = file.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    const url = credential.documentationUrl ?? '';
    const m = /^(.*)#([^#]+)$/.exec(url);
    if (!m || m[1] !== README_URL) problems.push(`${from}: documentationUrl "${url}" is not ${README_URL}#<a section of the README>`);
    else links.push({ from: `${from} (${credential.displayName})`, anchor: m[2]! });
  }
  return { links, problems };
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** The n8n nodes' codex files: resources.primaryDocumentation and credentialDocumentation are the node's docs links. */
function codexLinks(): Link[] {
  const links: Link[] = [];
  for (const file of filesUnder(join(REPO, 'nodes', 'n8n'), /\.node\.json$/)) {
    const codex = JSON.parse(readFileSync(file, 'utf8')) as { resources?: Record<string, Array<{ url?: string }>> };
    for (const [kind, entries] of Object.entries(codex.resources ?? {})) {
      for (const { url } of entries) {
        if (url?.startsWith(`${README_URL}#`)) links.push({ from: `${relative(REPO, file)} (${kind})`, anchor: url.slice(README_URL.length + 1) });
      }
    }
  }
  return links;
}

/**
 * What the faces' texts say of the README wherever they are: a link to one of its anchors, or a section named in
 * words. Credentials' documentationUrl and the codex files are read above, as n8n reads them.
 */
const FACE_TEXTS = [join('nodes', 'n8n'), join('nodes', 'node-red'), 'credentials', 'templates', 'examples'];
const ANCHOR_LINK = new RegExp(`${README_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}#([\\w-]+)`, 'g');
/** `See the README, "Other gateways"`, `the README's *CRMs* section`. */
const NAMED_SECTION = /README(?:'s|,)\s+(?:"([^"]+)"|\*([^*]+)\*)/g;

function faceTextLinks(): Link[] {
  const links: Link[] = [];
  for (const dir of FACE_TEXTS) {
    for (const file of filesUnder(join(REPO, dir), /\.(ts|json|html)$/)) {
      const text = readFileSync(file, 'utf8');
      const from = relative(REPO, file);
      const readAbove = file.endsWith('.node.json') || dir === 'credentials';
      if (!readAbove) for (const m of text.matchAll(ANCHOR_LINK)) links.push({ from, anchor: m[1]! });
      for (const m of text.matchAll(NAMED_SECTION)) links.push({ from: `${from} ("${m[1] ?? m[2]}")`, anchor: githubSlug(m[1] ?? m[2]!) });
    }
  }
  return links;
}

/** The README's own links to its sections. */
function readmeSelfLinks(readme: string): Link[] {
  return [...readme.matchAll(/\]\(#([^)\s]+)\)/g)].map((m) => ({ from: 'README.md', anchor: m[1]! }));
}

describe('n8n docs links land on a README section', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const anchors = readmeAnchors(readme);

  it('computes anchors as GitHub does', () => {
    const sample = [
      '# terminal-crm — card-terminal payments into your CRM',
      '## Polling, for operators who cannot expose a webhook',
      '```bash',
      '# not a heading',
      '```',
      '#### Dynamics 365 credential',
      '### `terminal-crm sync` *now*',
      '### The terminal_crm_id property, _kept_',
      '### Figures measured here (2 shared cores; see each bench for how)',
      '## Sources',
      '## Sources',
    ].join('\n');
    assert.deepEqual([...readmeAnchors(sample)], [
      'terminal-crm--card-terminal-payments-into-your-crm',
      'polling-for-operators-who-cannot-expose-a-webhook',
      'dynamics-365-credential',
      'terminal-crm-sync-now',
      'the-terminal_crm_id-property-kept',
      'figures-measured-here-2-shared-cores-see-each-bench-for-how',
      'sources',
      'sources-1',
    ]);
  });

  it("every credential's documentationUrl, every codex link and every README reference in the faces names an anchor README.md has", () => {
    const { links, problems } = credentialLinks();
    assert.equal(links.length + problems.length, pack.n8n.credentials.length, 'one documentationUrl per registered credential');
    const codex = codexLinks();
    assert.ok(codex.length > 0, 'the codex files link to the README');
    const all = [...links, ...codex, ...faceTextLinks(), ...readmeSelfLinks(readme)];
    for (const { from, anchor } of all) {
      if (!anchors.has(anchor)) problems.push(`${from}: README.md has no section with the anchor #${anchor}`);
    }
    assert.deepEqual(problems, [], `links to README sections that do not exist:\n${problems.join('\n')}`);
  });
});
