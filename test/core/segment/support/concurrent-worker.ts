import { parentPort, workerData } from 'node:worker_threads';
import { loyaltyStep } from '../../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../../nodes/core/loyalty/program';
import { segmentStep } from '../../../../nodes/core/segment/segment-step';
import { SqliteDatabase } from '../../../../nodes/core/store/sqlite-database';

/**
 * One "engine instance": its own connection to the shared store file, running the Segment and Loyalty steps
 * over the messages it is given. Two of these race in the concurrency test.
 */
interface Job {
  path: string;
  messages: unknown[];
  program: unknown;
}

async function main(): Promise<void> {
  const job = workerData as Job;
  const db = new SqliteDatabase(job.path);
  const program = parseLoyaltyProgram(job.program);
  let processed = 0;
  try {
    for (const m of job.messages) {
      await segmentStep(m, { db });
      await loyaltyStep(m, { db, program });
      processed++;
    }
  } finally {
    await db.close();
  }
  parentPort!.postMessage({ processed });
}

main().catch((e: unknown) => {
  parentPort!.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
});
