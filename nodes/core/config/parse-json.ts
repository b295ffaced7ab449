/** JSON.parse that returns the error instead of throwing, so callers can turn it into an operator-facing message. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
