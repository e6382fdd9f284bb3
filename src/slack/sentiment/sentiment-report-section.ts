import type { KnownBlock } from "@slack/types";
import type { Sql } from "postgres";
import { projectSignals } from "../../flow/metrics/signals.ts";
import type { AgeingItem } from "../../flow/metrics/types.ts";
import { mostNegativeCases } from "../../flow/sentiment/case-sentiment.ts";
import { clip } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";
import { signedScore } from "./friction-line.ts";

/** The report lists at most this many of the most negative tracked tasks (docs/flow-metrics.md §14.3). */
const LISTED = 5;
const NAME_CHARS = 80;

/**
 * The report's "Comment sentiment" section (§14.3): the most negative tracked tasks (WIP, or finished in
 * the view's window), each with its friction marker when it is ageing or stuck. No blocks when the
 * project has no scored comment; one line when none of its tasks is negative.
 * @param wip the view's WIP items (their `overThreshold` says ageing)
 */
export async function sentimentReportSection(
  sql: Sql,
  projectId: number,
  opts: { now: Date; from: Date; to: Date; wip: readonly AgeingItem[] },
): Promise<KnownBlock[]> {
  const negative = await mostNegativeCases(sql, projectId, { from: opts.from, to: opts.to, limit: LISTED });
  if (!negative.anyComments) return [];
  if (negative.cases.length === 0) {
    return [section("*Comment sentiment*\nNo tracked task's comments are negative.")];
  }
  const open = negative.cases.filter((c) => !c.finished);
  const stuck = open.length
    ? (await projectSignals(sql, projectId, { now: opts.now, from: opts.from, to: opts.to })).found.stuck
    : new Map();
  const ageing = new Set(opts.wip.filter((i) => i.overThreshold).map((i) => i.caseId));
  const lines = negative.cases.map((c) => {
    const why = c.finished ? null : stuck.has(c.caseId) ? "stuck" : ageing.has(c.caseId) ? "ageing" : null;
    const marker = why ? ` · :thunder_cloud_and_rain: *friction* (${why})` : "";
    const where = c.finished ? "finished" : escapeMrkdwn(c.status);
    const name = escapeMrkdwn(clip(c.name, NAME_CHARS).replace(/\|/g, "¦"));
    return `• <${c.url}|${name}> ${signedScore(c.sentiment)} over ${c.comments} comment(s) · ${where}${marker}`;
  });
  return [section(`*Comment sentiment* (most negative tracked tasks)\n${lines.join("\n")}`)];
}

function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, 3000) } };
}
