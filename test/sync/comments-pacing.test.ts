import { describe, expect, it } from "vitest";
import type { ClickUpClient } from "../../src/clickup/index.ts";
import type { RateLimitSnapshot } from "../../src/clickup/token-rate-limiter.ts";
import { backfillComments } from "../../src/sync/comments/backfill-comments.ts";
import { scoredComment } from "../../src/sync/comments/scored-comment.ts";
import { dropUnlistedComments, storeCommentScores } from "../../src/sync/comments/store-comment-scores.ts";
import { addJobSql } from "../../src/worker/add-job-sql.ts";
import { addCase, day, newProject } from "../flow/metrics-timeline.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// How the comments pass gives way (docs/flow-metrics.md §14.4): it sends a request only while at least half
// of the token's window is left (a report from an ended window is stale, not a reason to wait), and not
// while a status backfill of the same connection is queued or running.
const database = useTestDatabase();
const NOW = day(10).getTime();

function stubClient(snapshot: () => RateLimitSnapshot, asked: string[]) {
  return {
    rateLimit: snapshot,
    getTaskComments: async (taskId: string) => {
      asked.push(taskId);
      return [
        {
          id: `c-${taskId}`,
          comment_text: "Still blocked",
          comment: null,
          user: { id: 7 },
          date: NOW - 1,
          reply_count: 0,
        },
      ];
    },
    getCommentReplies: async () => [],
  } as unknown as ClickUpClient;
}

describe("the comments pass's pacing", () => {
  it("waits for the window to reset while less than half of it is left, and not on a stale report", async () => {
    const { sql } = database;
    const { bindingId } = await newProject(sql);
    await sql`insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
      token_owner_id, token_owner_name, connected_by) values ('T1', '9', 'Acme', 'x', 'xxxx', 1, 'Jane', 'U1')`;
    await addCase(sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
      ],
    });
    await addCase(sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(2)],
      ],
    });
    await addCase(sql, bindingId, { path: [["todo", day(0)]] }); // not started: not read

    let clock = NOW;
    const waits: number[] = [];
    const asked: string[] = [];
    // 30 of 100 left until NOW + 400 ms; a new window after that.
    const snapshot = () => ({
      limit: 100,
      remaining: clock < NOW + 400 ? 30 : 100,
      resetAt: new Date(NOW + 400),
    });
    const result = await backfillComments(
      {
        sql,
        clickup: stubClient(snapshot, asked),
        logger: captureLogs().logger,
        now: () => clock,
        wait: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
      bindingId,
    );
    expect(result).toMatchObject({ status: "done", cases: 2, of: 2, comments: 2, requests: 2 });
    expect(waits).toEqual([400]);
    expect(asked).toHaveLength(2);

    // A report whose window ended long ago says nothing about now: no wait at all.
    const stale = () => ({ limit: 100, remaining: 0, resetAt: new Date(NOW - 60_000) });
    const waitsStale: number[] = [];
    await backfillComments(
      {
        sql,
        clickup: stubClient(stale, []),
        logger: captureLogs().logger,
        now: () => NOW,
        wait: async (ms) => {
          waitsStale.push(ms);
        },
      },
      bindingId,
    );
    expect(waitsStale).toEqual([]);
  });

  it("gives way while a status backfill of the connection is queued", async () => {
    const { sql } = database;
    const [binding] = await sql<{ id: number }[]>`select id::int as id from bindings order by id limit 1`;
    const bindingId = binding!.id;
    await sql`select ${addJobSql(sql, "backfill-binding", { bindingId })}`;
    const asked: string[] = [];
    let waited = 0;
    const result = await backfillComments(
      {
        sql,
        clickup: stubClient(() => ({ limit: 100, remaining: 100, resetAt: null }), asked),
        logger: captureLogs().logger,
        now: () => NOW + waited * 1000,
        wait: async () => {
          waited += 1;
          expect(asked).toEqual([]); // nothing was asked while the status backfill waited
          // The status backfill ran and finished meanwhile.
          if (waited === 3) await sql`delete from graphile_worker._private_jobs`;
        },
      },
      bindingId,
    );
    expect(waited).toBe(3);
    expect(result).toMatchObject({ status: "done", requests: 2 });
  });
});

describe("storing comment scores", () => {
  it("an older version never replaces a newer one, and a re-read drops only what it could have seen", async () => {
    const { sql } = database;
    const { bindingId } = await newProject(sql);
    const caseId = await addCase(sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
      ],
    });
    const comment = (id: string, text: string, versionAt: number) =>
      scoredComment({ id, comment_text: text, user: { id: 7 }, date: NOW - 5_000 }, versionAt)!;
    const labels = async () =>
      (
        await sql<{ id: string; label: string }[]>`
          select comment_id as id, label from comment_sentiment where case_id = ${caseId} order by comment_id`
      ).map((r) => `${r.id}:${r.label}`);

    // The edit (newer) arrives first, the original post after it: the edit's score stays.
    await storeCommentScores(sql, caseId, [comment("1", "Great, thanks", NOW)]);
    await storeCommentScores(sql, caseId, [comment("1", "This is broken", NOW - 1_000)]);
    expect(await labels()).toEqual(["1:positive"]);
    // A webhook stores comment 2 after a re-read began at NOW + 10; the re-read lists neither 1 nor 2.
    await storeCommentScores(sql, caseId, [comment("2", "Still blocked", NOW + 20)]);
    await dropUnlistedComments(sql, caseId, [], NOW + 10);
    expect(await labels()).toEqual(["2:negative"]);
  });
});
