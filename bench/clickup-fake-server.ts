// The ClickUp fake for bench/backfill.ts, run in its own process (forked with an IPC channel) so that the
// backfill process's memory is measured without the fake's in-memory workspace. Seeds one space of
// `--tasks` tasks across 24 lists (16 in 4 folders, 8 folderless): ~10% closed, ~10% subtasks, ~5%
// archived, each with a short status history for time in status (every 7th task also has 2 comments,
// every 97th 30 and a reply, for the comments pass), and a second space of
// `--warmup-tasks` tasks (same mix, 4 lists) for the bench's warm-up run. Serves them on loopback and
// counts the requests it answers by kind and status.
//
// IPC: sends {type:"ready", ...world} once listening; answers {type:"stats"} with {type:"stats", ...};
// on {type:"close"} closes the server and exits.
import { serve } from "@hono/node-server";
import { createClickUpFake } from "../test/fakes/clickup/index.ts";
import { countArg, numberArg } from "./args.ts";

export const FAKE_TOKEN = "pk_4400001_BENCHBACKFILL";
const FOLDERS = 4;
const LISTS_PER_FOLDER = 4;
const FOLDERLESS_LISTS = 8;
const DAY = 86_400_000;

export interface FakeReady {
  type: "ready";
  url: string;
  token: string;
  teamId: string;
  userId: number;
  spaceId: string;
  /** The warm-up space: backfilled before the timed run (bench/backfill.ts). */
  warmup: { spaceId: string; tasks: number };
  lists: { total: number; inFolders: number; folderless: number };
  seeded: { tasks: number; active: number; archived: number; closed: number; subtasks: number };
  seedMs: number;
}

export type RequestKind =
  | "team_tasks"
  | "time_in_status"
  | "webhooks"
  | "definitions"
  | "hierarchy"
  | "comments"
  | "other";

export interface FakeStats {
  type: "stats";
  requests: number;
  limited: number;
  byKind: Record<RequestKind, number>;
  byStatus: Record<string, number>;
  rssMb: number;
}

function kindOf(pathname: string): RequestKind {
  // Task comments and threaded replies, read by the comments pass (src/sync/comments).
  if (/^\/api\/v2\/(task\/[^/]+\/comment|comment\/[^/]+\/reply)$/.test(pathname)) return "comments";
  if (/^\/api\/v2\/team\/[^/]+\/task$/.test(pathname)) return "team_tasks";
  if (pathname.includes("time_in_status")) return "time_in_status";
  if (/^\/api\/v2\/(team\/[^/]+\/webhook|webhook\/[^/]+)$/.test(pathname)) return "webhooks";
  // Custom field definitions and task types, read once per backfill (src/sync/backfill/refresh-definitions.ts).
  if (/^\/api\/v2\/((list|folder|space)\/[^/]+\/field|team\/[^/]+\/custom_item)$/.test(pathname))
    return "definitions";
  if (/^\/api\/v2\/(team|team\/[^/]+\/space|space\/.+|folder\/.+|list\/[^/]+)$/.test(pathname))
    return "hierarchy";
  return "other";
}

async function main() {
  const send = process.send?.bind(process);
  if (!send) throw new Error("bench/clickup-fake-server.ts must be forked with an IPC channel");
  const tasks = numberArg("tasks", 10_000);
  const warmupTasks = countArg("warmup-tasks", 0);
  const limit = numberArg("limit", 100);
  const windowMs = numberArg("window-ms", 1_000);

  const fake = createClickUpFake({ rateLimit: { limit, windowMs }, recordRequests: false });
  const team = fake.addWorkspace({ name: "Bench" });
  const user = fake.addUser({ username: "Bench Owner", token: FAKE_TOKEN, teamIds: [team.id], role: 1 });
  const space = fake.addSpace({ teamId: team.id, name: "Engineering" });
  const lists: string[] = [];
  for (let f = 0; f < FOLDERS; f += 1) {
    const folder = fake.addFolder({ spaceId: space.id, name: `Folder ${f}` });
    for (let l = 0; l < LISTS_PER_FOLDER; l += 1)
      lists.push(fake.addList({ folderId: folder.id, name: `List ${f}.${l}` }).id);
  }
  for (let l = 0; l < FOLDERLESS_LISTS; l += 1)
    lists.push(fake.addList({ spaceId: space.id, name: `Folderless ${l}` }).id);
  // A task elsewhere in the workspace that the space filter must leave out.
  const otherSpace = fake.addSpace({ teamId: team.id, name: "Elsewhere" });
  fake.addTask({ listId: fake.addList({ spaceId: otherSpace.id }).id, name: "Not ours", emit: false });

  const seedStart = Date.now();
  const now = Date.now();
  const open = ["to do", "in progress", "review", "done"];
  const seed = (count: number, listIds: string[]) => {
    const lastTopLevel = new Map<string, string>();
    const seeded = { tasks: 0, active: 0, archived: 0, closed: 0, subtasks: 0 };
    for (let i = 0; i < count; i += 1) {
      const listId = listIds[i % listIds.length]!;
      const createdAt = now - 120 * DAY + Math.floor((i / Math.max(1, count)) * 110 * DAY);
      const closed = i % 10 === 3;
      const parent = i % 10 === 5 ? lastTopLevel.get(listId) : undefined;
      const archived = i % 20 === 7;
      const final = closed ? "complete" : open[i % open.length]!;
      const history = [{ status: "to do", at: createdAt }];
      if (final !== "to do") {
        history.push({ status: "in progress", at: createdAt + DAY });
        if (final !== "in progress") history.push({ status: final, at: createdAt + 3 * DAY });
      }
      const task = fake.addTask({
        listId,
        name: `Task ${i}`,
        history,
        parent,
        archived,
        assignees: i % 3 === 0 ? [user.id] : [],
        emit: false,
      });
      if (!parent) lastTopLevel.set(listId, task.id);
      const comments = i % 97 === 0 ? 30 : i % 7 === 0 ? 2 : 0;
      for (let c = 0; c < comments; c += 1) {
        const text =
          c % 3 === 0 ? "Still blocked on review" : c % 3 === 1 ? "Thanks, looks good" : "Moved to QA";
        const at = createdAt + DAY + c * 60_000;
        const posted = fake.addComment({ taskId: task.id, text, at, emit: false });
        if (c === 0 && comments > 2)
          fake.addComment({ taskId: task.id, text: "Agreed", parentId: posted.id, at, emit: false });
      }
      seeded.tasks += 1;
      if (archived) seeded.archived += 1;
      else seeded.active += 1;
      if (closed) seeded.closed += 1;
      if (parent) seeded.subtasks += 1;
    }
    return seeded;
  };
  const seeded = seed(tasks, lists);
  const warmupSpace = fake.addSpace({ teamId: team.id, name: "Warm-up" });
  const warmupLists = Array.from(
    { length: 4 },
    (_, l) => fake.addList({ spaceId: warmupSpace.id, name: `Warm-up ${l}` }).id,
  );
  seed(warmupTasks, warmupLists);
  const seedMs = Date.now() - seedStart;

  let requests = 0;
  const byKind: Record<RequestKind, number> = {
    team_tasks: 0,
    time_in_status: 0,
    webhooks: 0,
    definitions: 0,
    hierarchy: 0,
    comments: 0,
    other: 0,
  };
  const byStatus: Record<string, number> = {};
  const server = serve(
    {
      fetch: async (req: Request) => {
        const res = await fake.app.fetch(req);
        requests += 1;
        byKind[kindOf(new URL(req.url).pathname)] += 1;
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        return res;
      },
      hostname: "127.0.0.1",
      port: 0,
    },
    (info) => {
      const ready: FakeReady = {
        type: "ready",
        url: `http://127.0.0.1:${info.port}/api`,
        token: FAKE_TOKEN,
        teamId: team.id,
        userId: user.id,
        spaceId: space.id,
        warmup: { spaceId: warmupSpace.id, tasks: warmupTasks },
        lists: {
          total: lists.length,
          inFolders: FOLDERS * LISTS_PER_FOLDER,
          folderless: FOLDERLESS_LISTS,
        },
        seeded,
        seedMs,
      };
      send(ready);
    },
  );

  process.on("message", (msg: { type?: string }) => {
    if (msg.type === "stats") {
      const limiter = fake.rateLimiter.stats();
      const stats: FakeStats = {
        type: "stats",
        requests,
        limited: limiter.limited,
        byKind,
        byStatus,
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      send(stats);
    } else if (msg.type === "close") {
      if ("closeAllConnections" in server) server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  // The parent going away (crash, Ctrl-C) must not leave the fake running.
  process.on("disconnect", () => process.exit(0));
}

await main();
