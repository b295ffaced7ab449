import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDatabase } from '../../../../nodes/core/store/sqlite-database';
import { runInstance } from './race-events';

/** One engine instance in its own thread, with its own connection to the shared SQLite file. */
interface Job {
  path: string;
  events: unknown[];
}

async function main(): Promise<void> {
  const job = workerData as Job;
  const db = new SqliteDatabase(job.path);
  try {
    parentPort!.postMessage({ outcomes: await runInstance(db, job.events) });
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }));
