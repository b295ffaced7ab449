import type { INodeExecutionData, IRun } from 'n8n-workflow';

/** What a node put on each of its outputs in its last run (outputOf in run-workflow.ts reads only the first). */
export function outputsOf(run: IRun, nodeName: string): INodeExecutionData[][] {
  const runs = run.data.resultData.runData[nodeName];
  if (!runs?.length) throw new Error(`node "${nodeName}" did not run; error: ${run.data.resultData.error?.message ?? 'none'}`);
  return (runs[runs.length - 1]!.data?.main ?? []).map((items) => items ?? []);
}
