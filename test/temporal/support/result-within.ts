import type { WorkflowHandle } from '@temporalio/client';

/** Long enough for any healthy run here (a workflow of a few activities takes well under a second). */
export const DEFAULT_RESULT_DEADLINE_MS = 20_000;

/**
 * A workflow's result, or a failure within `ms`: the payment workflow retries its activities for up to three days,
 * so a plain `await handle.result()` on a broken activity hangs the suite instead of failing the test. The failure
 * names what the workflow waits on — each pending activity, its attempt and its last failure — which is the bug to
 * look for. `handle.result()` is still what is awaited, so a time-skipping server still skips time meanwhile.
 */
export async function resultWithin<R>(handle: Pick<WorkflowHandle, 'workflowId' | 'describe'> & { result(): Promise<R> }, ms = DEFAULT_RESULT_DEADLINE_MS): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([handle.result(), late]);
    if (outcome !== 'late') return outcome as R;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`workflow ${handle.workflowId} did not finish within ${ms} ms; ${await whatItWaitsOn(handle)}`);
}

/** Settles with the outcome instead of throwing: for tests that expect a workflow to fail, also within a deadline. */
export function settledWithin<R>(handle: Parameters<typeof resultWithin<R>>[0], ms = DEFAULT_RESULT_DEADLINE_MS): Promise<{ value?: R; error?: unknown }> {
  return resultWithin(handle, ms).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** What a workflow waits on, for a failure's message: each pending activity, its attempt and its last failure. */
export async function whatItWaitsOn(handle: Pick<WorkflowHandle, 'describe'>): Promise<string> {
  try {
    const d = await handle.describe();
    const pending = d.raw.pendingActivities ?? [];
    if (pending.length === 0) return `status ${d.status.name}, no activity pending (a timer, a signal or a child workflow)`;
    return pending
      .map((a) => `activity ${a.activityType?.name ?? '?'} at attempt ${a.attempt ?? '?'}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : ', no failure yet'}`)
      .join('; ');
  } catch (e) {
    return `describe failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** `client.workflow.execute` with a deadline: give it the `client.workflow.start(…)` promise. */
export async function executeWithin<R>(started: Promise<Parameters<typeof resultWithin<R>>[0]>, ms = DEFAULT_RESULT_DEADLINE_MS): Promise<R> {
  return resultWithin(await started, ms);
}
