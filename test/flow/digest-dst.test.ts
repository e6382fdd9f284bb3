import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "../../src/db/connect-database.ts";
import { scheduleDueDigests } from "../../src/flow/digest/schedule-due-digests.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { seedProject } from "./digest-test-kit.ts";

// The scheduler as cron runs it — once a minute — through the nights the clocks change. Each project's
// digest must be claimed exactly once, at the right instant (no worker runs here; the queue is inspected).

const MINUTE = 60_000;
let db: TestDatabase;
let database: Database;

beforeAll(async () => {
  db = await createTestDatabase();
  database = connectDatabase(db.url, 4);
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

/** Runs the scheduler every minute in [from, to]; the due times claimed, per project channel. */
async function everyMinute(from: string, to: string): Promise<Record<string, string[]>> {
  for (let t = Date.parse(from); t <= Date.parse(to); t += MINUTE) await scheduleDueDigests(database, t);
  const rows = await database.sql<{ channel: string; due: string }[]>`
    select p.channel_id as channel, to_char(r.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as due
    from digest_runs r join projects p on p.id = r.project_id order by 1, 2`;
  const claimed: Record<string, string[]> = {};
  for (const r of rows) claimed[r.channel] = [...(claimed[r.channel] ?? []), r.due];
  // Each claim queued exactly one post-digest job.
  const [jobs] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from graphile_worker.jobs where task_identifier = 'post-digest'`;
  expect(jobs!.n).toBe(rows.length);
  await database.sql`delete from digest_runs`;
  await database.sql`delete from graphile_worker._private_jobs`;
  return claimed;
}

describe("the scheduler across daylight-saving changes", () => {
  it("Berlin spring-forward (29 March 2026): 09:00 posts at 07:00 UTC, a skipped 02:30 once at 03:00 CEST", async () => {
    await seedProject(database.sql, {
      channelId: "C0BER0900",
      settings: { time_zone: "Europe/Berlin", digest_time: "09:00", digest_days: [7] },
    });
    await seedProject(database.sql, {
      channelId: "C0BER0230",
      settings: { time_zone: "Europe/Berlin", digest_time: "02:30", digest_days: [7] },
    });
    expect(await everyMinute("2026-03-28T23:30:00Z", "2026-03-29T07:30:00Z")).toEqual({
      C0BER0230: ["2026-03-29T01:00Z"],
      C0BER0900: ["2026-03-29T07:00Z"],
    });
  });

  it("New York fall-back (1 November 2026): the repeated 01:30 is claimed once, at its first occurrence", async () => {
    await database.sql`delete from projects`;
    await seedProject(database.sql, {
      channelId: "C0NY0130",
      settings: { time_zone: "America/New_York", digest_time: "01:30", digest_days: [7] },
    });
    await seedProject(database.sql, {
      channelId: "C0NY0900",
      settings: { time_zone: "America/New_York", digest_time: "09:00", digest_days: [7, 1] },
    });
    // 01:30 EDT = 05:30 UTC; the clocks go back at 06:00 UTC, and 01:30 EST (06:30 UTC) is not posted again.
    expect(await everyMinute("2026-11-01T04:00:00Z", "2026-11-01T07:30:00Z")).toEqual({
      C0NY0130: ["2026-11-01T05:30Z"],
    });
    // 09:00 that Sunday is already EST: 14:00 UTC.
    expect(await everyMinute("2026-11-01T13:50:00Z", "2026-11-01T14:10:00Z")).toEqual({
      C0NY0900: ["2026-11-01T14:00Z"],
    });
  });

  it("Lord Howe's half-hour shift (4 October 2026) and Kolkata's +5:30 land on the right UTC minute", async () => {
    await database.sql`delete from projects`;
    await seedProject(database.sql, {
      channelId: "C0LHI",
      settings: { time_zone: "Australia/Lord_Howe", digest_time: "08:00", digest_days: [7] },
    });
    await seedProject(database.sql, {
      channelId: "C0KOL",
      settings: { time_zone: "Asia/Kolkata", digest_time: "02:30", digest_days: [7] },
    });
    // Lord Howe is +11:00 from 02:00 local on 4 Oct: Sunday 08:00 = Saturday 21:00 UTC. Kolkata 02:30 = 21:00 UTC the day before.
    expect(await everyMinute("2026-10-03T20:30:00Z", "2026-10-03T21:30:00Z")).toEqual({
      C0KOL: ["2026-10-03T21:00Z"],
      C0LHI: ["2026-10-03T21:00Z"],
    });
  });
});
