import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** A PNG's size from its IHDR chunk (bytes 16–23), after checking the signature. */
export function pngSize(file: string): { width: number; height: number } {
  const head = readFileSync(file).subarray(0, 24);
  assert.equal(head.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}
