import type { Sql } from "postgres";
import { findFieldByName } from "../../sync/task-fields/field-definitions.ts";
import { segmentCounts, segmentHeld } from "../metrics/segments.ts";
import type { SegmentScope } from "../metrics/segments-scope.ts";
import { statusKey } from "../stage-mapping.ts";
import { type LabelSources, loadLabelSources } from "./label-sources.ts";
import { loadSegmentDimension, type SegmentDimension } from "./segment-settings.ts";
import { NO_VALUE, type Segmenter, segmenterOf } from "./segmenter.ts";

/*
 * `/flow report [window] [dimension:]value` (docs/flow-metrics.md §7): which segment a typed filter names.
 * The dimension may be named (`type`, `priority`, `list`, the project's tag group, a drop-down or labels
 * field by its name) or left out, when the project's own dimension is meant. A value is matched by its
 * key (§2, §6.3) among the values the project's cases hold now.
 */

/** A segment filter as typed: `dimension` is null for a bare value. */
export type SegmentFilter = { dimension: string | null; value: string };

export type SegmentResolution =
  | { ok: true; scope: SegmentScope }
  /** A bare value, but the project segments by nothing. */
  | { ok: false; problem: "no_dimension" }
  | { ok: false; problem: "unknown_dimension"; named: string; dimensions: string[] }
  /** No case holds the value now: the values that exist, with their number of cases. */
  | {
      ok: false;
      problem: "unknown_value";
      title: string;
      typed: string;
      values: { value: string; cases: number }[];
      note: string | null;
    };

const BUILT_IN: Record<string, SegmentDimension> = {
  type: { kind: "type" },
  "task type": { kind: "type" },
  priority: { kind: "priority" },
  list: { kind: "list" },
  "home list": { kind: "list" },
};

/** The dimension a typed name means for this project, or the names it could have typed. */
function dimensionNamed(
  named: string,
  project: SegmentDimension,
  sources: LabelSources,
): SegmentDimension | { unknown: string[] } {
  const key = statusKey(named).replace(/\s+/g, " ");
  const builtIn = BUILT_IN[key];
  if (builtIn) return builtIn;
  if (project.kind === "tag_group" && statusKey(project.name) === key) return project;
  const field = findFieldByName(named, sources.fields);
  if (field && (field.kind === "drop_down" || field.kind === "labels")) {
    return { kind: field.kind, fieldId: field.fieldId };
  }
  return {
    unknown: [
      "type",
      "priority",
      "list",
      ...(project.kind === "tag_group" ? [project.name] : []),
      ...sources.fields.filter((f) => f.kind !== "checkbox").map((f) => f.name),
    ],
  };
}

/** The value among `values` a typed one means (same key, §2); "none" also means "(none)". */
function matchSegmentValue(typed: string, values: readonly string[]): string | null {
  const key = statusKey(typed);
  return (
    values.find((v) => statusKey(v) === key) ??
    (key === "none" && values.includes(NO_VALUE) ? NO_VALUE : null)
  );
}

/** Resolves a typed filter against the project's dimension, field definitions and cases. */
export async function resolveSegment(
  sql: Sql,
  projectId: number,
  filter: SegmentFilter,
): Promise<SegmentResolution> {
  const [project, sources] = await Promise.all([
    loadSegmentDimension(sql, projectId),
    loadLabelSources(sql, projectId),
  ]);
  let dimension = project;
  if (filter.dimension !== null) {
    const named = dimensionNamed(filter.dimension, project, sources);
    if ("unknown" in named) {
      return { ok: false, problem: "unknown_dimension", named: filter.dimension, dimensions: named.unknown };
    }
    dimension = named;
  }
  const segmenter = segmenterOf(dimension, sources);
  if (!segmenter) return { ok: false, problem: "no_dimension" };
  return resolveValue(sql, projectId, segmenter, filter.value);
}

async function resolveValue(
  sql: Sql,
  projectId: number,
  segmenter: Segmenter,
  typed: string,
): Promise<SegmentResolution> {
  // The dimension's own values first: a look that stops at the first case holding it, not a count of all.
  const known = matchSegmentValue(typed, segmenter.values);
  if (known !== null && (await segmentHeld(sql, projectId, segmenter, known))) {
    return { ok: true, scope: { segmenter, value: known } };
  }
  const values = await segmentCounts(sql, projectId, segmenter);
  const held = matchSegmentValue(
    typed,
    values.map((v) => v.value),
  );
  if (held !== null) return { ok: true, scope: { segmenter, value: held } };
  return { ok: false, problem: "unknown_value", title: segmenter.title, typed, values, note: segmenter.note };
}
