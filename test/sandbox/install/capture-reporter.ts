import type { Reporter } from '../../../sandbox/install/run-logged';

/** A Reporter that keeps what it is given, for assertions on the progress lines. */
export function captureReporter(verbose = false): Reporter & { text(): string } {
  let all = '';
  return { verbose, write: (t) => void (all += t), text: () => all };
}
