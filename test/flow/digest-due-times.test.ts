import { describe, expect, it } from "vitest";
import {
  dueTimesBetween,
  instantOfWallTime,
  isValidTimeZone,
  parseWallTime,
} from "../../src/flow/digest/due-times.ts";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const week = (from: string, to: string) => [Date.parse(from), Date.parse(to)] as const;
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

describe("digest due times", () => {
  it("posts at the local time on the chosen weekdays (Mon–Fri 09:00 in UTC)", () => {
    // 2026-11-23 is a Monday.
    const [from, to] = week("2026-11-22T00:00:00Z", "2026-11-29T23:59:00Z");
    const due = dueTimesBetween({ timeZone: "UTC", days: [1, 2, 3, 4, 5], time: "09:00" }, from, to);
    expect(iso(due)).toEqual([
      "2026-11-23T09:00:00.000Z",
      "2026-11-24T09:00:00.000Z",
      "2026-11-25T09:00:00.000Z",
      "2026-11-26T09:00:00.000Z",
      "2026-11-27T09:00:00.000Z",
    ]);
  });

  it("keeps 09:00 local in Europe/Berlin across the March and October 2026 switches", () => {
    const schedule = { timeZone: "Europe/Berlin", days: EVERY_DAY, time: "09:00" };
    const spring = dueTimesBetween(schedule, ...week("2026-03-28T00:00:00Z", "2026-03-30T23:00:00Z"));
    // Sat 28 March CET (+1), Sun 29 (switch at 02:00) and Mon 30 CEST (+2).
    expect(iso(spring)).toEqual([
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
    ]);
    const autumn = dueTimesBetween(schedule, ...week("2026-10-24T00:00:00Z", "2026-10-26T23:00:00Z"));
    expect(iso(autumn)).toEqual([
      "2026-10-24T07:00:00.000Z",
      "2026-10-25T08:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
    ]);
  });

  it("posts a wall time skipped by spring-forward at the next valid instant (Berlin 02:30 → 03:00 CEST)", () => {
    const due = dueTimesBetween(
      { timeZone: "Europe/Berlin", days: [7], time: "02:30" },
      ...week("2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z"),
    );
    // 03:00 CEST = 01:00 UTC, the instant the clocks jump.
    expect(iso(due)).toEqual(["2026-03-29T01:00:00.000Z"]);
  });

  it("posts a wall time repeated by fall-back once, at its first occurrence (New York 01:30)", () => {
    const due = dueTimesBetween(
      { timeZone: "America/New_York", days: EVERY_DAY, time: "01:30" },
      ...week("2026-10-31T00:00:00Z", "2026-11-02T12:00:00Z"),
    );
    // 31 Oct EDT (−4), 1 Nov first 01:30 is still EDT, 2 Nov EST (−5).
    expect(iso(due)).toEqual([
      "2026-10-31T05:30:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("handles New York's spring-forward day (8 March 2026) for a normal and a skipped time", () => {
    const window = week("2026-03-07T15:00:00Z", "2026-03-09T13:00:00Z");
    const nine = dueTimesBetween({ timeZone: "America/New_York", days: EVERY_DAY, time: "09:00" }, ...window);
    expect(iso(nine)).toEqual(["2026-03-08T13:00:00.000Z", "2026-03-09T13:00:00.000Z"]);
    const skipped = dueTimesBetween({ timeZone: "America/New_York", days: [7], time: "02:15" }, ...window);
    // 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    expect(iso(skipped)).toEqual(["2026-03-08T07:00:00.000Z"]);
  });

  it("works in half-hour zones: Asia/Kolkata (+5:30) and Australia/Adelaide across its April 2026 switch", () => {
    const kolkata = dueTimesBetween(
      { timeZone: "Asia/Kolkata", days: [1], time: "09:00" },
      ...week("2026-11-22T00:00:00Z", "2026-11-24T00:00:00Z"),
    );
    expect(iso(kolkata)).toEqual(["2026-11-23T03:30:00.000Z"]);
    // Adelaide: ACDT (+10:30) until Sun 5 April 2026 03:00, then ACST (+9:30).
    const adelaide = dueTimesBetween(
      { timeZone: "Australia/Adelaide", days: EVERY_DAY, time: "09:00" },
      ...week("2026-04-03T12:00:00Z", "2026-04-06T12:00:00Z"),
    );
    expect(iso(adelaide)).toEqual([
      "2026-04-03T22:30:00.000Z",
      "2026-04-04T23:30:00.000Z",
      "2026-04-05T23:30:00.000Z",
    ]);
  });

  it("handles a 30-minute daylight-saving shift (Australia/Lord_Howe, October 2026)", () => {
    // Lord Howe moves from +10:30 to +11:00 at 02:00 local on Sun 4 Oct 2026; 02:15 does not exist.
    expect(
      new Date(instantOfWallTime("Australia/Lord_Howe", Date.UTC(2026, 9, 4, 2, 15))).toISOString(),
    ).toBe("2026-10-03T15:30:00.000Z");
    expect(new Date(instantOfWallTime("Australia/Lord_Howe", Date.UTC(2026, 9, 5, 9, 0))).toISOString()).toBe(
      "2026-10-04T22:00:00.000Z",
    );
  });

  it("window bounds are (from, to]: a run exactly at the due minute includes it, the next run does not", () => {
    const schedule = { timeZone: "Europe/Berlin", days: EVERY_DAY, time: "09:00" };
    const at = Date.parse("2026-11-23T08:00:00Z");
    expect(iso(dueTimesBetween(schedule, at - 5 * 60_000, at))).toEqual(["2026-11-23T08:00:00.000Z"]);
    expect(dueTimesBetween(schedule, at, at + 5 * 60_000)).toEqual([]);
  });

  it("returns nothing for a malformed time, an unknown zone or no days", () => {
    const [from, to] = week("2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z");
    expect(dueTimesBetween({ timeZone: "UTC", days: EVERY_DAY, time: "9am" }, from, to)).toEqual([]);
    expect(dueTimesBetween({ timeZone: "Mars/Olympus", days: EVERY_DAY, time: "09:00" }, from, to)).toEqual(
      [],
    );
    expect(dueTimesBetween({ timeZone: "UTC", days: [], time: "09:00" }, from, to)).toEqual([]);
  });

  it("parses HH:MM and validates zone names", () => {
    expect(parseWallTime("09:05")).toBe(545);
    expect(parseWallTime("23:59")).toBe(1439);
    expect(parseWallTime("24:00")).toBeUndefined();
    expect(parseWallTime("9:60")).toBeUndefined();
    expect(isValidTimeZone("America/New_York")).toBe(true);
    expect(isValidTimeZone("Europe/Berln")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});
