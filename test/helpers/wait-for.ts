import type { Flowbot } from "../../src/app/start-flowbot.ts";
import type { ClickUpFake } from "../fakes/clickup/index.ts";

/**
 * Polls `probe` every `pollMs` until it gives a value (anything but undefined or false) and returns it;
 * past `timeoutMs` it throws, naming `what` and adding `context()` (e.g. the tail of the captured log).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  context: () => string = () => "",
  pollMs = 40,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Waits until the ClickUp fake has sent its queued webhooks and flowbot has nothing fresh pending and no
 * apply, backfill, comments or rebuild job queued or running; on a timeout the error lists the jobs left.
 */
export async function waitForSyncSettled(
  flowbot: Flowbot,
  clickup: ClickUpFake,
  context: () => string = () => "",
): Promise<void> {
  await clickup.webhooks.settled();
  const { sql } = flowbot.database;
  await waitFor(
    "jobs done",
    async () => {
      const [row] = await sql<{ pending: number; jobs: number }[]>`
        select (select count(*)::int from webhook_deliveries where outcome = 'pending') as pending,
          (select count(*)::int from graphile_worker.jobs where task_identifier in
            ('apply-task-deliveries', 'apply-deliveries', 'backfill-binding', 'backfill-comments',
             'rebuild-flow-facts')) as jobs`;
      return row!.pending === 0 && row!.jobs === 0;
    },
    20_000,
    context,
  ).catch(async (err) => {
    const jobs =
      await sql`select task_identifier, attempts, last_error, run_at, locked_at from graphile_worker.jobs`;
    throw new Error(`${(err as Error).message}\n${JSON.stringify(jobs)}`);
  });
}
