import { describe, expect, it } from "vitest";
import { computeDigest, isQuiet } from "../../src/flow/digest/compute-digest.ts";
import { saveWipLimits } from "../../src/flow/metrics/wip-limits-settings.ts";
import { renderDigest } from "../../src/slack/digest/render-digest.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { addTask, DAY, STATUSES, seedProject } from "./digest-test-kit.ts";

// The digest names the statuses over their WIP limit at its instant (docs/flow-metrics.md §10.1), and a
// limit exceeded is something to say even when nothing ages or is reworked.
const database = useTestDatabase();
const NOW = new Date(Date.UTC(2026, 10, 23, 9, 0));

describe("the digest and WIP limits", () => {
  it('names those over their limit ("review 5 / 3"), not those at it', async () => {
    const { projectId, bindingId } = await seedProject(database.sql);
    for (let i = 0; i < 5; i++) {
      await addTask(database.sql, bindingId, {
        createdAt: new Date(NOW.getTime() - 2 * DAY),
        path: [[STATUSES.review, new Date(NOW.getTime() - DAY)]],
      });
    }
    await addTask(database.sql, bindingId, {
      createdAt: new Date(NOW.getTime() - 2 * DAY),
      path: [[STATUSES.doing, new Date(NOW.getTime() - DAY)]],
    });
    await saveWipLimits(
      database.sql,
      projectId,
      {
        limits: [
          { kind: "status", key: "review", limit: 3 },
          { kind: "status", key: "in progress", limit: 1 },
        ],
        alertAtOnce: false,
      },
      { userId: "U0ADMIN", at: NOW },
    );
    const digest = (await computeDigest(database, projectId, { now: NOW }))!;
    expect(digest.overLimit.map((l) => `${l.label} ${l.count} / ${l.limit}`)).toEqual(["review 5 / 3"]);
    expect(isQuiet(digest)).toBe(false);
    const message = renderDigest(digest, new Map())!;
    expect(JSON.stringify(message.blocks)).toContain(":no_entry: *Over the WIP limit*: review 5 / 3");
    expect(message.text).toMatch(/^Flow digest: 1 over the WIP limit\./);
  });
});
