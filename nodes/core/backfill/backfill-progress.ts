import type { BackfillState } from './backfill-state';

/** What a progress bar shows: the state, how far through the window it is, records per second, time left. */
export interface BackfillProgress extends BackfillState {
  /** 0–1; processors say nothing of how many payments a window holds, so this is the share of the window's time covered. */
  fraction: number;
  ratePerSecond: number;
  /** Null until a page has reached into the window. */
  etaSeconds: number | null;
}

export function progressOf(state: BackfillState): BackfillProgress {
  const since = Date.parse(state.since);
  const until = Date.parse(state.until);
  let fraction = 0;
  if (state.done) fraction = 1;
  else if (state.reached) {
    const reached = Date.parse(state.reached);
    const covered = state.order === 'oldest-first' ? reached - since : until - reached;
    fraction = Math.min(1, Math.max(0, covered / Math.max(1, until - since)));
  }
  const seconds = state.activeMs / 1000;
  const ratePerSecond = seconds > 0 ? state.listed / seconds : 0;
  const etaSeconds = state.done ? 0 : fraction > 0 ? (seconds * (1 - fraction)) / fraction : null;
  return { ...state, fraction, ratePerSecond, etaSeconds };
}

/**
 * The state a progress was worked out from (progressOf's inverse): what the store keeps, every field of it, the
 * figures worked out from it dropped. A workflow carries the progress from page to page; the page starts from this.
 */
export function stateOf(progress: BackfillState | BackfillProgress): BackfillState {
  const { fraction, ratePerSecond, etaSeconds, ...state } = progress as BackfillProgress;
  return state;
}

/** The furthest payment time of a page, in the direction the lister walks. */
export function reachedAfter(state: Pick<BackfillState, 'order' | 'reached'>, times: readonly string[]): string | null {
  let out = state.reached ? Date.parse(state.reached) : null;
  for (const iso of times) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) continue;
    if (out === null || (state.order === 'oldest-first' ? t > out : t < out)) out = t;
  }
  return out === null ? null : new Date(out).toISOString();
}
