import { describe, expect, it } from "vitest";
import { statusAgeing } from "../../src/flow/metrics/status-ageing.ts";
import { loadMetricsSettings, windowOf } from "../../src/flow/metrics/window-settings.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { newProject } from "./metrics-timeline.ts";
import { at, caseWith, S } from "./status-path.ts";

// Per-status ageing on docs/flow-metrics.md §13.3's example (§8.4's data, now Thu 19 Mar 2026 12:00, UTC):
// review's history 0.25, 0.5, 1.0 (two visits), 1.0, 1.5, 2.0, 4.0 d gives bands 1.0 / 1.5 / 2.0 / 4.0;
// QA's three values give none; the dots are the WIP cases' time in their status so far.

const database = useTestDatabase();
const NOW = at("2026-03-19T12:00:00");
const H = 3_600_000;
const plusH = (d: Date, hours: number) => new Date(d.getTime() + hours * H);

describe("per-status ageing (§13.3)", () => {
  it("gives each status its own percentile bands and each WIP case its time in status so far", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql);
    // Seven finished cases: review times in hours; the third has two visits (6 h + 18 h); the last three pass QA.
    const reviewHours = [[6], [12], [6, 18], [24], [36], [48], [96]];
    for (const [i, visits] of reviewHours.entries()) {
      const start = at(`2026-03-0${1 + i}T00:00:00`);
      const path: [typeof S.progress, Date][] = [[S.progress, start]];
      let t = plusH(start, 1);
      for (const h of visits) {
        path.push([S.review, t], [S.progress, plusH(t, h)]);
        t = plusH(t, h + 1);
      }
      if (i >= 4) {
        path.push([S.qa, t]);
        t = plusH(t, 2);
      }
      path.push([S.done, t]);
      await caseWith(sql, bindingId, plusH(start, -1), path);
    }
    // W1: review Mon 9 Mar 09:00–21:00, again since Tue 17 Mar 12:00 → 0.5 + 2.0 = 2.5 d.
    const w1 = await caseWith(sql, bindingId, at("2026-03-08T09:00:00"), [
      [S.progress, at("2026-03-09T08:00:00")],
      [S.review, at("2026-03-09T09:00:00")],
      [S.progress, at("2026-03-09T21:00:00")],
      [S.review, at("2026-03-17T12:00:00")],
    ]);
    // W2: QA since Mon 16 Mar 12:00 → 3.0 d.
    const w2 = await caseWith(sql, bindingId, at("2026-03-15T09:00:00"), [
      [S.progress, at("2026-03-16T08:00:00")],
      [S.qa, at("2026-03-16T12:00:00")],
    ]);
    const s = await loadMetricsSettings(sql, projectId);
    const { from, to } = windowOf(NOW, 90);
    const result = await statusAgeing(sql, s, { now: NOW, from, to, limit: 100 });
    const byKey = new Map(result.columns.map((c) => [c.key, c]));
    expect(byKey.get("review")).toMatchObject({
      status: "review",
      n: 7,
      bands: { p50: 1, p70: 1.5, p85: 2, p95: 4 },
    });
    expect(byKey.get("qa")).toMatchObject({ status: "QA", n: 3, bands: null });
    // "in progress" is an active status the finished cases passed through: a column with its bands.
    expect(byKey.get("in progress")?.n).toBe(7);
    expect(byKey.has("to do")).toBe(false);
    expect(result.wip).toBe(2);
    expect(result.points.map((p) => [p.caseId, p.status, Number(p.days.toFixed(3))])).toEqual([
      [w2, "QA", 3],
      [w1, "review", 2.5],
    ]);
  });
});
