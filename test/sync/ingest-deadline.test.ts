import { readFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../src/db/start-embedded-postgres.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { createLogger } from "../../src/log/create-logger.ts";
import { sign } from "../fakes/clickup/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { seedWebhookBinding } from "../helpers/seed-webhook-binding.ts";
import { testConfig } from "../helpers/test-config.ts";

// The webhook route while its database dies or stalls with deliveries in flight. ClickUp counts an
// answer slower than 7 s as a failure (and suspends a webhook that keeps failing), so every delivery
// is answered in time: 200 only once it is stored, else 503; ClickUp's retries then store each
// delivery exactly once. The database here is this file's own embedded server, so it can be killed.
const CLICKUP_TIMEOUT_MS = 7_000;
const SECRET = "DEADLINE0SECRET0000000000000000000000000000000000000000000000AB";
const WEBHOOK_ID = "5c2e1f3a-0000-4000-8000-0000000dead1";
const silent = createLogger("silent");
const logs = captureLogs();
let dir: string;
let pg: EmbeddedDatabase;
let pgPort: number;
let flowbot: Flowbot;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "flowbot-deadline-pg-"));
  await chmod(dir, 0o755);
  pg = await startEmbeddedPostgres({ dir, logger: silent, settings: { fsync: "off" } });
  pgPort = Number(new URL(pg.url).port);
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: pg.url, FLOWBOT_ROLE: "web" }),
    logger: logs.logger,
  });
  url = flowbot.url + CLICKUP_WEBHOOK_PATH;
  await seedWebhookBinding(flowbot, { id: WEBHOOK_ID, secret: SECRET, token: "pk_1_DEADLINE" });
}, 90_000);
afterAll(async () => {
  await flowbot?.stop();
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let historyId = 7_000_000;
const delivery = (taskId: string) =>
  JSON.stringify({
    event: "taskStatusUpdated",
    task_id: taskId,
    webhook_id: WEBHOOK_ID,
    history_items: [
      {
        id: String(historyId++),
        type: 1,
        date: "1767225600000",
        field: "status",
        parent_id: "900",
        data: { status_type: "custom" },
        source: null,
        user: { id: 1, username: "Jane", email: "jane@example.com", color: "#000", initials: "J" },
        before: { status: "to do", color: "#ddd", orderindex: 0, type: "open" },
        after: { status: "in progress", color: "#0af", orderindex: 1, type: "custom" },
      },
    ],
  });

type Answer = { taskId: string; body: string; status: number | "no answer"; ms: number };

/** One POST as ClickUp makes it; a reply slower than 15 s counts as none. */
async function post(body: string): Promise<{ status: number | "no answer"; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": sign(SECRET, body) },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  } catch {
    return { status: "no answer", ms: performance.now() - t0 };
  }
}

/** `senders` concurrent senders of fresh deliveries, each one at a time, until `stop()`. */
function startLoad(prefix: string, senders: number) {
  const answers: Answer[] = [];
  let running = true;
  let n = 0;
  const sender = async () => {
    while (running) {
      const taskId = `${prefix}-${n++}`;
      const body = delivery(taskId);
      const answer = await post(body);
      answers.push({ taskId, body, ...answer });
      // ClickUp does not hammer a failing endpoint; neither does this.
      if (answer.status !== 200) await sleep(50);
    }
  };
  const done = Promise.all(Array.from({ length: senders }, sender));
  return {
    answers,
    ok: () => answers.filter((a) => a.status === 200).length,
    async stop() {
      running = false;
      await done;
      return answers;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, probe: () => boolean, timeoutMs = 30_000) {
  const by = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The postmaster and every process it started. */
async function postgresProcesses(): Promise<number[]> {
  const pid = Number((await readFile(path.join(dir, "data", "postmaster.pid"), "utf8")).split("\n")[0]);
  return [pid, ...(await childrenOf(pid))];
}
/** SIGKILL for the whole server, as an OOM killer or a crash would. */
async function killPostgres() {
  const family = await postgresProcesses();
  for (const p of family) process.kill(p, "SIGKILL");
  await until("postgres to be dead", () => family.every((p) => !alive(p)), 10_000);
}
async function childrenOf(parent: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid …; comm may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parent) out.push(Number(entry));
  }
  return out;
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it holds nothing.
  return !/\) Z /.test(readProcStat(pid));
}
function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return "";
  }
}

async function storedTasks(prefix: string): Promise<Map<string, number>> {
  const rows = await flowbot.database.sql<{ task_id: string; n: number }[]>`
    select task_id, count(*)::int as n from webhook_deliveries where task_id like ${`${prefix}-%`}
    group by task_id`;
  return new Map(rows.map((r) => [r.task_id, r.n]));
}

/**
 * What ClickUp's retries leave: every acknowledged delivery was stored before it was acknowledged,
 * the others are posted again until they are, and in the end each is stored exactly once.
 */
async function expectExactlyOnceAfterRetries(prefix: string, answers: Answer[]) {
  const acknowledged = answers.filter((a) => a.status === 200);
  const before = await storedTasks(prefix);
  const lost = acknowledged.filter((a) => !before.has(a.taskId));
  expect({ acknowledged: acknowledged.length, lost: lost.length }).toEqual({
    acknowledged: acknowledged.length,
    lost: 0,
  });
  // Stored but answered 503: the commit was under way when the answer had to go (outcome unknown).
  const unacknowledgedStored = [...before.keys()].filter(
    (t) => !acknowledged.some((a) => a.taskId === t),
  ).length;
  expect(unacknowledgedStored).toBeLessThanOrEqual(answers.length - acknowledged.length);

  for (const a of answers.filter((x) => x.status !== 200)) {
    let status: number | "no answer" = a.status;
    for (let i = 0; i < 50 && status !== 200; i++) {
      if (i > 0) await sleep(100);
      status = (await post(a.body)).status;
    }
    expect(status).toBe(200);
  }
  const after = await storedTasks(prefix);
  expect({ stored: after.size, duplicated: [...after.values()].filter((n) => n !== 1).length }).toEqual({
    stored: answers.length,
    duplicated: 0,
  });
}

function expectAnsweredInTime(answers: Answer[]) {
  const late = answers.filter((a) => a.status === "no answer" || a.ms > CLICKUP_TIMEOUT_MS);
  expect(late.map((a) => ({ status: a.status, ms: Math.round(a.ms) }))).toEqual([]);
  expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));
}

describe("the database killed with deliveries in flight", () => {
  it("answers every delivery in time — 200 only once stored, else 503 — and ClickUp's retries store each once", {
    timeout: 120_000,
  }, async () => {
    expect((await post(delivery("warm"))).status).toBe(200);
    const load = startLoad("kill", 10);
    await until("deliveries flowing", () => load.ok() >= 100);
    await killPostgres();
    const deadFrom = load.answers.length;
    await sleep(8_000);
    const deadAnswers = load.answers.slice(deadFrom);
    pg = await startEmbeddedPostgres({ dir, logger: silent, settings: { fsync: "off" }, port: pgPort });
    const okAtRestart = load.ok();
    await until("deliveries stored again", () => load.ok() >= okAtRestart + 100);
    const answers = await load.stop();

    expect(deadAnswers.length).toBeGreaterThan(0);
    expect(deadAnswers.every((a) => a.status === 503)).toBe(true);
    expectAnsweredInTime(answers);
    await expectExactlyOnceAfterRetries("kill", answers);
  });
});

describe("a table lock held longer than ClickUp waits", () => {
  it("answers every delivery in time, the ones that cannot be stored 503, and ClickUp's retries store each once", {
    timeout: 120_000,
  }, async () => {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const load = startLoad("lock", 10);
      await until("deliveries flowing", () => load.ok() >= 100);
      let lockedFrom = 0;
      await admin.begin(async (tx) => {
        await tx`lock table webhook_deliveries in access exclusive mode`;
        lockedFrom = load.answers.length;
        await sleep(9_000);
      });
      const okAtRelease = load.ok();
      await until("deliveries stored again", () => load.ok() >= okAtRelease + 100);
      const answers = await load.stop();

      expect(answers.slice(lockedFrom).some((a) => a.status === 503)).toBe(true);
      expectAnsweredInTime(answers);
      await expectExactlyOnceAfterRetries("lock", answers);
    } finally {
      await admin.end();
    }
  });
});

describe("the database host hung (the server stops answering, connections stay open)", () => {
  it("answers every delivery in time, and ClickUp's retries store each once", {
    timeout: 120_000,
  }, async () => {
    const load = startLoad("hung", 10);
    await until("deliveries flowing", () => load.ok() >= 100);
    const family = await postgresProcesses();
    for (const p of family) process.kill(p, "SIGSTOP");
    try {
      await sleep(8_000);
    } finally {
      for (const p of family) process.kill(p, "SIGCONT");
    }
    const okAtResume = load.ok();
    await until("deliveries stored again", () => load.ok() >= okAtResume + 100);
    const answers = await load.stop();

    expectAnsweredInTime(answers);
    await expectExactlyOnceAfterRetries("hung", answers);
  });
});
