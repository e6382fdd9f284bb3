import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Task } from "graphile-worker";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createSealer } from "../../src/crypto/sealer.ts";
import { addBatchJobSql, addJobSql, jobKeySql, sqlValue } from "../../src/worker/add-job-sql.ts";
import {
  JOB_NAMES,
  type JobName,
  type JobPayload,
  JobPayloadError,
  jobCatalog,
  jobKeyOf,
  parseJobPayload,
} from "../../src/worker/job-catalog.ts";
import { loadJobs } from "../../src/worker/load-jobs.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The job catalog (src/worker/job-catalog.ts) is the one declaration of every task: these check that the
// jobs the producers' SQL adds are what it declares, that the type checker holds producers to it, and
// that nothing queues a job around it.
const database = useTestDatabase();
const root = path.resolve(import.meta.dirname, "../..");

type JobRow = {
  task: string;
  payload: unknown;
  key: string | null;
  maxAttempts: number;
  queue: string | null;
};
async function jobs(): Promise<JobRow[]> {
  return database.sql<JobRow[]>`
    select t.identifier as task, j.payload::jsonb as payload, j.key, j.max_attempts as "maxAttempts",
      q.queue_name as queue
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    order by j.id`;
}
async function clearJobs() {
  await database.sql`delete from graphile_worker._private_jobs`;
}

describe("the SQL a producer queues a job with", () => {
  it("adds a job with the catalog's job key and max attempts, from a value or from SQL expressions", async () => {
    await clearJobs();
    const sql = database.sql;
    await sql`select ${addJobSql(sql, "backfill-binding", { bindingId: 7, channelId: "C1", userId: "U1" })}`;
    const dueAt = "2026-03-02T09:00:00.000Z";
    await sql`select ${addJobSql(sql, "post-digest", { projectId: 3, dueAt }, { queueName: "flowbot-digest:C9" })}`;
    // One job per row, each field of the payload from that row or from the caller.
    await sql`
      select ${addJobSql(sql, "reconcile-binding", { bindingId: sqlValue<number>(sql`v.id`), sweep: true })}
      from (values (11), (12)) v(id)`;
    await sql`select ${addJobSql(sql, "rebuild-flow-facts", {})}`;
    expect(await jobs()).toEqual([
      {
        task: "backfill-binding",
        payload: { bindingId: 7, channelId: "C1", userId: "U1" },
        key: "backfill-binding:7",
        maxAttempts: 10,
        queue: null,
      },
      {
        task: "post-digest",
        payload: { projectId: 3, dueAt },
        key: `post-digest:3:${dueAt}`,
        maxAttempts: 5,
        queue: "flowbot-digest:C9",
      },
      ...[11, 12].map((id) => ({
        task: "reconcile-binding",
        payload: { bindingId: id, sweep: true },
        key: `reconcile-binding:${id}`,
        maxAttempts: 5,
        queue: null,
      })),
      { task: "rebuild-flow-facts", payload: {}, key: "rebuild-flow-facts", maxAttempts: 25, queue: null },
    ]);
    // Every payload the SQL built is one its task accepts.
    for (const j of await jobs()) expect(() => parseJobPayload(j.task as JobName, j.payload)).not.toThrow();
  });

  it("aggregates rows into one batch job, and computes in SQL the key jobKeyOf computes", async () => {
    await clearJobs();
    const sql = database.sql;
    await sql`
      select ${addBatchJobSql(sql, "apply-task-deliveries", { taskId: sqlValue<string>(sql`v.id`) })}
      from (values ('a'), ('b')) v(id)`;
    expect(await jobs()).toEqual([
      {
        task: "apply-task-deliveries",
        payload: [{ taskId: "a" }, { taskId: "b" }],
        key: null,
        maxAttempts: 25,
        queue: null,
      },
    ]);
    const [row] = await sql<{ key: string }[]>`
      select ${jobKeySql(sql, "apply-deliveries", { connectionId: sqlValue<number>(sql`42`) })} as key`;
    expect(row!.key).toBe(jobKeyOf("apply-deliveries", { connectionId: 42 }));
    expect(row!.key).toBe("apply-deliveries:42");
  });

  it("is refused by the type checker when the payload is not the task's", () => {
    const sql = database.sql;
    // Never run: `npm run typecheck` fails if any of these is accepted.
    const refused = () => [
      // @ts-expect-error bindingId is a number
      addJobSql(sql, "backfill-binding", { bindingId: "7" }),
      // @ts-expect-error post-digest needs dueAt
      addJobSql(sql, "post-digest", { projectId: 1 }),
      // @ts-expect-error a SQL expression of the wrong type
      addJobSql(sql, "reconcile-binding", { bindingId: sqlValue<string>(sql`'x'`) }),
      // @ts-expect-error a field the task does not have
      addJobSql(sql, "reconcile-binding", { bindingId: 1, full: true }),
      // @ts-expect-error no such task
      addJobSql(sql, "backfill-bindings", { bindingId: 7 }),
      // @ts-expect-error only a batch task takes an aggregate of rows
      addBatchJobSql(sql, "backfill-binding", { bindingId: 7 }),
    ];
    void refused;
    // graphile-worker's own typing (Task<"name">, addJob, quickAddJob) sees the same payloads.
    expectTypeOf<GraphileWorker.Tasks["reconcile-binding"]>().toEqualTypeOf<{
      bindingId: number;
      sweep?: boolean | undefined;
    }>();
    expectTypeOf<Parameters<Task<"post-digest">>[0]>().toEqualTypeOf<JobPayload<"post-digest">>();
    expectTypeOf<GraphileWorker.Tasks["apply-task-deliveries"]>().toEqualTypeOf<
      { taskId: string } | { taskId: string }[]
    >();
    expect(jobKeyOf("apply-task-deliveries", { taskId: "a" })).toBeUndefined();
  });
});

describe("parseJobPayload", () => {
  it("names every bad field and shows what it received, cut short when long", () => {
    const payload = { projectId: -1, dueAt: "tomorrow", note: "x".repeat(500) };
    let err: unknown;
    try {
      parseJobPayload("post-digest", payload);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JobPayloadError);
    const message = (err as Error).message;
    expect(message).toMatch(/^post-digest got a malformed payload \(projectId: .+; dueAt: .+\); received \{/);
    expect(message).toContain(`… (${JSON.stringify(payload).length} chars)`);
    expect(message.length).toBeLessThan(500);
    expect(() => parseJobPayload("rebuild-flow-facts", null)).toThrow(
      /^rebuild-flow-facts got a malformed payload \(payload: .+\); received null$/,
    );
  });
});

describe("every producer and every task", () => {
  it("queue jobs only through the catalog: no add_job written by hand in src/, jobs/ or db/", async () => {
    const files = await sourceFiles(["src", "jobs", "db"]);
    expect(files.length).toBeGreaterThan(100);
    const byHand: string[] = [];
    const sqlSide: { file: string; name: string }[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), "utf8");
      if (file.endsWith(".sql")) {
        // SQL cannot import the catalog: each task it names must be declared there.
        for (const m of text.matchAll(/graphile_worker\s*\.\s*add_jobs?\s*\(\s*'([^']+)'/gi))
          sqlSide.push({ file, name: m[1]! });
        if (/graphile_worker\s*\.\s*add_jobs?\s*\(\s*[^'\s]/i.test(text))
          byHand.push(`${file} (task name not a literal)`);
      } else if (
        file !== "src/worker/add-job-sql.ts" &&
        /graphile_worker\s*\.\s*add_jobs?\s*\(/i.test(text)
      ) {
        byHand.push(file);
      }
    }
    expect(byHand).toEqual([]);
    expect(sqlSide.filter(({ name }) => !(JOB_NAMES as string[]).includes(name))).toEqual([]);
  });

  it("the worker loads one task per catalog entry, and every catalog entry is one jobs/ file", async () => {
    const files = (await readdir(path.join(root, "jobs"))).filter((f) => f.endsWith(".ts"));
    expect(files.map((f) => f.slice(0, -3)).sort()).toEqual(JOB_NAMES);
    const tasks = await loadJobs({
      config: testConfig({ DATABASE_URL: database.url }),
      database,
      logger: captureLogs("silent").logger,
      now: Date.now,
      sealer: createSealer(Buffer.from(TEST_KEY_HEX, "hex")),
      clickup: () => {
        throw new Error("not used");
      },
    });
    expect(Object.keys(tasks).sort()).toEqual(Object.keys(jobCatalog).sort());
  });
});

async function sourceFiles(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const entry of await readdir(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|sql)$/.test(entry.name)) continue;
      out.push(path.relative(root, path.join(entry.parentPath, entry.name)));
    }
  }
  return out.sort();
}
