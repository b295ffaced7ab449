import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const REPO = resolve(__dirname, '../../..');
const EXAMPLES = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.json')).sort();
type FlowNode = { id: string; type: string; z?: string; x?: number; y?: number; name?: string; wires?: string[][]; info?: string; outputs?: number };
interface Box { id: string; label: string; left: number; right: number; top: number; bottom: number }

// Node-RED's own sizing (editor view.js): at least 100 wide, the label's width + 50 (+7 with an input) rounded up to
// the 20 px grid, 30 high or 15 px per output. Labels are measured at 8 px a character (the editor's 14 px sans font
// averages under that): a generous box.
const CHAR_PX = 8;
// Pack nodes show a status (dot and text) under the node; give it a line and a width of its own.
const STATUS_PX = 20;
const STATUS_WIDTH = 160;

/** The label an unnamed node shows: its html's label function, by the same rule (the pack's labels are short). */
function labelOf(n: FlowNode & { path?: string }): string {
  if (n.name) return n.name;
  if (n.type === 'terminal-trigger') return `payment trigger ${n.path ?? ''}`;
  return n.type.replace(/^terminal-/, '').replace(/-/g, ' ');
}

function boxOf(n: FlowNode): Box {
  const label = labelOf(n);
  const inputs = n.type === 'comment' || n.type === 'inject' || n.type === 'catch' || n.type === 'terminal-trigger' ? 0 : 1;
  const width = Math.max(100, 20 * Math.ceil((label.length * CHAR_PX + 50 + (inputs ? 7 : 0)) / 20));
  const outputs = n.wires?.length ?? 0;
  const height = Math.max(30, outputs * 15);
  const status = n.type.startsWith('terminal-') ? STATUS_PX : 0;
  const half = Math.max(width, status ? STATUS_WIDTH : 0) / 2;
  return { id: n.id, label, left: n.x! - half, right: n.x! + half, top: n.y! - height / 2, bottom: n.y! + height / 2 + status };
}

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** What an operator reads in the Info sidebar is markdown: text that would show as escapes or stray marks is a bug. */
function markdownProblems(info: string): string[] {
  const problems: string[] = [];
  for (const para of info.split('\n')) {
    const prose = para.replace(/`[^`]*`/g, '');
    if (para.split('`').length % 2 === 0) problems.push(`unclosed \` in "${para}"`);
    if (prose.split('**').length % 2 === 0) problems.push(`unclosed ** in "${para}"`);
    if (prose.replace(/\*\*/g, '').split('*').length % 2 === 0) problems.push(`unclosed * in "${para}"`);
    if (/&[a-z]+;|&#\d+;|\\[nrtu]|<\/?[a-z]/i.test(prose)) problems.push(`HTML or an escape sequence in "${para}"`);
  }
  return problems;
}

describe('Node-RED examples as the editor shows them', () => {
  for (const file of EXAMPLES) {
    const flow = JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as FlowNode[];

    it(`${file}: no two nodes, comments or statuses overlap on the canvas`, () => {
      const placed = flow.filter((n) => typeof n.x === 'number' && typeof n.y === 'number');
      assert.ok(placed.length >= 5);
      const boxes = placed.map(boxOf);
      const clashes: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) clashes.push(`"${boxes[i]!.label}" and "${boxes[j]!.label}"`);
      }
      assert.deepEqual(clashes, []);
    });

    it(`${file}: the description and comments are clean markdown`, () => {
      const texts = flow.filter((n) => typeof n.info === 'string' && n.info).map((n) => n.info!);
      assert.ok(texts.length >= 1, 'the flow has a description');
      assert.deepEqual(texts.flatMap(markdownProblems), []);
    });
  }

  it('finds an overlap and a stray mark when there is one', () => {
    const a = boxOf({ id: 'a', type: 'terminal-tokenize', x: 200, y: 100, wires: [[]] });
    const b = boxOf({ id: 'b', type: 'debug', x: 300, y: 120, wires: [] });
    assert.ok(overlaps(a, b));
    assert.ok(!overlaps(a, boxOf({ id: 'c', type: 'debug', x: 200, y: 180, wires: [] })));
    assert.equal(markdownProblems('Open **store and set `k1:`').length, 1);
    assert.equal(markdownProblems('a &lt;b&gt; c').length, 1);
    assert.deepEqual(markdownProblems('run `terminal-crm merge <a> <b>` then **deploy**'), []);
  });
});
