/** Status texts are one short line under the node. */
export function shortText(text: string, max = 60): string {
  const line = text.split('\n')[0]!;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
