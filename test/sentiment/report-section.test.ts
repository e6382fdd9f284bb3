import { describe, expect, it } from "vitest";
import { ageingWip } from "../../src/flow/metrics/index.ts";
import { loadMetricsSettings } from "../../src/flow/metrics/window-settings.ts";
import { sentimentReportSection } from "../../src/slack/sentiment/sentiment-report-section.ts";
import { scoredComment } from "../../src/sync/comments/scored-comment.ts";
import { storeCommentScores } from "../../src/sync/comments/store-comment-scores.ts";
import { addCase, DAY, day, newProject } from "../flow/metrics-timeline.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The report's Comment sentiment section (docs/flow-metrics.md §14.3) on cases built like the app does.
const database = useTestDatabase();
const NOW = day(5);

let commentSeq = 0;
async function comment(caseId: number, text: string, at: Date) {
  commentSeq += 1;
  const scored = scoredComment(
    { id: String(commentSeq), comment_text: text, user: { id: 7 }, date: at.getTime() },
    NOW.getTime(),
  )!;
  await storeCommentScores(database.sql, caseId, [scored]);
}

async function section(projectId: number) {
  const settings = await loadMetricsSettings(database.sql, projectId);
  const wip = await ageingWip(database.sql, projectId, { now: NOW, settings });
  return sentimentReportSection(database.sql, projectId, {
    now: NOW,
    from: new Date(NOW.getTime() - 90 * DAY),
    to: NOW,
    wip: wip.items,
  });
}

describe("the report's comment sentiment section", () => {
  it("lists the most negative tracked tasks, most negative first, with friction on the stuck one", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql);
    await sql`insert into signal_settings (project_id, stuck_rule_days) values (${projectId}, 1)`;
    const stuck = await addCase(sql, bindingId, {
      name: "Stuck in review",
      path: [
        ["todo", day(0)],
        ["progress", day(0.5)],
        ["review", day(1)],
      ],
    });
    const fresh = await addCase(sql, bindingId, {
      name: "Just started",
      path: [
        ["todo", day(0)],
        ["progress", day(4.8)],
      ],
    });
    const done = await addCase(sql, bindingId, {
      name: "Shipped grumpily",
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(3)],
      ],
    });
    const happy = await addCase(sql, bindingId, {
      name: "Going fine",
      path: [
        ["todo", day(0)],
        ["progress", day(4.5)],
      ],
    });
    await comment(stuck, "Still blocked on QA!!!", day(4));
    await comment(stuck, "This is not working", day(4.5));
    await comment(fresh, "Tests are flaky again", day(4.9));
    await comment(done, "QA rejected it again", day(2.5));
    await comment(happy, "Great, thanks", day(4.6));

    const blocks = await section(projectId);
    expect(blocks).toHaveLength(1);
    const text = JSON.stringify(blocks[0]);
    const lines = text.split("\\n").filter((l) => l.startsWith("•"));
    expect(lines.map((l) => l.match(/\|([^>]+)>/)![1])).toEqual([
      "Stuck in review",
      "Just started",
      "Shipped grumpily",
    ]);
    expect(lines[0]).toContain("*friction* (stuck)");
    expect(lines[0]).toContain("over 2 comment(s) · review");
    expect(lines[1]).not.toContain("friction");
    expect(lines[2]).toContain("finished");
    expect(lines[2]).not.toContain("friction");
    expect(text).not.toContain("Going fine");
    // No text of any comment is shown.
    expect(text).not.toContain("flaky");
  });

  it("says nothing without comments, and one line when none is negative", async () => {
    const { sql } = database;
    const quiet = await newProject(sql);
    await addCase(sql, quiet.bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
      ],
    });
    expect(await section(quiet.projectId)).toEqual([]);

    const kind = await newProject(sql);
    const c = await addCase(sql, kind.bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
      ],
    });
    await comment(c, "LGTM 👍", day(2));
    const blocks = await section(kind.projectId);
    expect(JSON.stringify(blocks)).toContain("No tracked task's comments are negative.");
  });
});
