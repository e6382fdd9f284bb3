import type { KnownBlock } from "@slack/types";
import {
  MIN_SAMPLE,
  type SegmentBreakdown,
  type SegmentRow,
  type SegmentSle,
} from "../../flow/metrics/segments.ts";
import type { SegmentSummary } from "../../flow/metrics/types.ts";
import { clip, context, section } from "../views/block-kit.ts";
import { days, escapeMrkdwn, plural } from "../views/mrkdwn.ts";

/*
 * The Flow view's per-segment section and a filtered report's SLE (docs/flow-metrics.md §7): per segment
 * n, the percentiles ("too few" below the minimum sample), the SLE and where it comes from, throughput
 * and WIP now.
 */

/** Segments listed by name; the rest are counted. Lines per section keep each far below 3000 characters. */
const SEGMENTS_LISTED = 16;
const SEGMENTS_PER_SECTION = 8;

/** "task type: Bug". */
export function segmentTitle(segment: Pick<SegmentSummary, "title" | "value">): string {
  return `${segment.title}: ${segment.value}`;
}

/** Where an SLE comes from, as the report says it ("project's SLE — only 3 finished"). */
function sleSource(sle: SegmentSle, n: number): string {
  if (sle.source === "own") return `its own 85th percentile, n ${n}`;
  if (sle.source === "project") {
    return `project's SLE${sle.projectSource === "manual" ? " (set by hand)" : ""} — only ${n} finished`;
  }
  return "no SLE yet";
}

/** The SLE field of a filtered report. */
export function segmentSleText(segment: SegmentSummary): string {
  if (segment.sle.days === null)
    return `not known yet (${plural(segment.n, "finished task")} here, none in the project)`;
  return `85% of these tasks finish within *${days(segment.sle.days)}* (${sleSource(segment.sle, segment.n)})`;
}

function segmentLine(row: SegmentRow): string {
  const ct = row.cycleTime;
  const estimated = ct.estimated > 0 ? " ≈" : "";
  const sample = row.fullSample ? `n ${row.n}` : `n ${row.n}, too few`;
  const sle = row.sle.days === null ? "SLE –" : `SLE *${days(row.sle.days)}*`;
  return [
    `• *${escapeMrkdwn(clip(row.value, 60))}* (${sample})`,
    `50% ${days(ct.p50)} · 70% ${days(ct.p70)} · 85% ${days(ct.p85)} · 95% ${days(ct.p95)}${estimated}`,
    `${sle} (${sleSource(row.sle, row.n)})`,
    `${row.finished} finished`,
    `${row.wip} in progress`,
  ].join(" · ");
}

/** The per-segment section: a heading and lines in sections of a few, then what it could not list. */
export function segmentLines(b: SegmentBreakdown): KnownBlock[] {
  const heading = `*By ${escapeMrkdwn(clip(b.title, 60))}* (cycle time of the tasks finished in the window)`;
  if (b.rows.length === 0) {
    return [section(`${heading}\nNo task finished in the window or in progress.`)];
  }
  const listed = b.rows.slice(0, SEGMENTS_LISTED).map(segmentLine);
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < listed.length; i += SEGMENTS_PER_SECTION) {
    const lines = listed.slice(i, i + SEGMENTS_PER_SECTION).join("\n");
    blocks.push(section(i === 0 ? `${heading}\n${lines}` : lines));
  }
  const notes: string[] = [];
  const more = b.rows.length - listed.length;
  if (more > 0) notes.push(`…and ${plural(more, "more segment")}.`);
  if (b.multiValued > 0) {
    notes.push(
      `${plural(b.multiValued, "task")} carried more than one value of ${escapeMrkdwn(clip(b.title, 60))}; each counts once, under the first in its order.`,
    );
  }
  notes.push(`A segment with fewer than ${MIN_SAMPLE} cycle times uses the project's SLE.`);
  if (b.note) notes.push(b.note);
  blocks.push(context(notes.join(" ")));
  return blocks;
}
