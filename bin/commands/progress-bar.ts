import type { BackfillProgress } from '../../nodes/core/backfill/backfill-progress';
import type { CliIo } from './command';

/** "1h 02m", "3m 20s", "45s": the ETA as a person reads it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** One line of progress: bar, share of the window, records, rate, time left, and a word when paused. */
export function progressLine(p: BackfillProgress & { paused?: boolean }, width = 24): string {
  const filled = Math.round(p.fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = p.done ? 'done' : p.etaSeconds === null ? 'ETA –' : `ETA ${formatDuration(p.etaSeconds)}`;
  const state = p.paused ? ' (paused)' : '';
  return `${p.source} ${bar} ${String(Math.floor(p.fraction * 100)).padStart(3)}%  ${p.listed.toLocaleString('en-US')} records  ${p.ratePerSecond.toFixed(1)}/s  ${eta}${state}`;
}

/**
 * Progress on stderr: redrawn in place on a terminal, one line per change otherwise (a log, a test), so results on
 * stdout stay clean for --json.
 */
export function progressWriter(io: CliIo, tty = Boolean(process.stderr.isTTY)) {
  let last = '';
  return {
    update(p: BackfillProgress & { paused?: boolean }): void {
      const line = progressLine(p);
      if (line === last) return;
      last = line;
      io.err(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    end(): void {
      if (tty && last) io.err('\n');
    },
  };
}
