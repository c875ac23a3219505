import type { Database } from "../store/database.js";

/** Suspended runs and pending timers, counted in the store at scrape time (one round trip). */
export async function storeCounts(db: Database): Promise<{ suspended: number; timersPending: number }> {
  const [row] = await db.query<{ suspended: string | number; timers: string | number }>(
    `SELECT (SELECT count(*) FROM invocations WHERE status = 'suspended') AS suspended,
            (SELECT count(*) FROM timers) AS timers`,
  );
  return { suspended: Number(row?.suspended ?? 0), timersPending: Number(row?.timers ?? 0) };
}
