import { describe, expect, it } from "vitest";
import { parseReportArgs } from "../../src/slack/report/parse-window.ts";

// `/flow report [window] [dimension:]value` (docs/flow-metrics.md §7): what the words after `report` mean.
const parse = (text: string) => parseReportArgs(text.split(/\s+/).filter(Boolean));

describe("parseReportArgs", () => {
  it("reads a window, a filter, both, or neither", () => {
    expect(parse("")).toEqual({ ok: true, days: null, segment: null });
    expect(parse("90d")).toEqual({ ok: true, days: 90, segment: null });
    expect(parse("2 weeks")).toEqual({ ok: true, days: 14, segment: null });
    expect(parse("90d type:Bug")).toEqual({
      ok: true,
      days: 90,
      segment: { dimension: "type", value: "Bug" },
    });
    expect(parse("priority:urgent")).toEqual({
      ok: true,
      days: null,
      segment: { dimension: "priority", value: "urgent" },
    });
    // The window may come last, and a value may hold spaces; quotes are dropped.
    expect(parse("type:User story 2 weeks")).toEqual({
      ok: true,
      days: 14,
      segment: { dimension: "type", value: "User story" },
    });
    expect(parse("30d “Work area”:Backend")).toEqual({
      ok: true,
      days: 30,
      segment: { dimension: "Work area", value: "Backend" },
    });
    // A bare value is for the project's own dimension.
    expect(parse("12w Bug")).toEqual({ ok: true, days: 84, segment: { dimension: null, value: "Bug" } });
    expect(parse("last month")).toEqual({
      ok: true,
      days: null,
      segment: { dimension: null, value: "last month" },
    });
  });

  it("takes what starts with a digit and is no window for a mistyped window", () => {
    const bad = parse("3x");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain("I can't read `3x` as a report window");
    const long = parse("9999d");
    expect(!long.ok && long.message).toContain("from 1 day to 730 days");
  });

  it("asks for the value a colon promises", () => {
    const r = parse("90d type:");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain("names no value");
    expect(!r.ok && r.message).toContain("`/flow report 90d type:Bug`");
  });
});
