import type { PendingQuery, Row, Sql } from "postgres";
import { sqlJson } from "../../db/sql-json.ts";
import { fieldLabel, UNKNOWN_VALUE } from "../../sync/task-fields/field-definitions.ts";
import { taskTypeName, UNKNOWN_TASK_TYPE } from "../../sync/task-fields/task-types.ts";
import { PRIORITIES } from "../../sync/task-fields/types.ts";
import type { LabelSources } from "./label-sources.ts";
import type { SegmentDimension } from "./segment-settings.ts";

/*
 * A segment dimension turned into SQL (docs/flow-metrics.md §6.3): the segment value of a case as one
 * expression over its tracked_cases row, the value it holds now. The expression is a CASE over the
 * dimension's values in the dimension's own order, so "the first tag of the group's list" and "the first
 * of its labels in the field's option order" are simply the first branch that holds, and every case gets
 * exactly one value: segments partition the project. Values are the names shown (a task type's, an
 * option's, a list's), so one name is one segment and a typed value is matched against names (§6.3).
 */

export const NO_VALUE = "(none)";

type Fragment = PendingQuery<Row[]>;
/** A condition on the tracked_cases row aliased `a`. */
type Condition = (sql: Sql, a: string) => Fragment;

export interface Segmenter {
  dimension: Exclude<SegmentDimension, { kind: "none" }>;
  /** What the dimension is called in Slack: "task type", "priority", "home list", the group's or field's name. */
  title: string;
  /** The values the dimension knows, in its own order (a home list flowbot has no name for shows as its id). */
  values: string[];
  /** Why the dimension cannot be read as set (its field is gone), or null. */
  note: string | null;
  /** Tag groups and labels: a case may carry several of the values, and is counted under the first. */
  multiValued: boolean;
  branches: { label: string; when: Condition }[];
  /** The value of a case no branch takes: a label, or an expression (the list id of an unnamed list). */
  otherwise: { label: string } | { value: (sql: Sql, a: string) => Fragment };
}

const col = (sql: Sql, a: string, column: string) => sql`${sql(a)}.${sql(column)}`;

/** Fragments in a row; postgres.js would send an empty list as a parameter, so none is an empty fragment. */
const fragments = (sql: Sql, list: Fragment[]): Fragment | Fragment[] => (list.length === 0 ? sql`` : list);

function otherwiseSql(sql: Sql, segmenter: Segmenter, a: string): Fragment {
  const o = segmenter.otherwise;
  return "label" in o ? sql`${o.label}::text` : o.value(sql, a);
}

/** SQL: the segment value of the tracked_cases row aliased `a`. */
export function segmentValueSql(sql: Sql, segmenter: Segmenter, a: string): Fragment {
  if (segmenter.branches.length === 0) return otherwiseSql(sql, segmenter, a);
  const whens = segmenter.branches.map((b) => sql`when ${b.when(sql, a)} then ${b.label}::text`);
  return sql`(case ${whens} else ${otherwiseSql(sql, segmenter, a)} end)`;
}

/**
 * SQL: whether the row aliased `a` holds `value` — the same as `segmentValueSql(…) = value`, written as
 * the branches that give it (its own condition, and none of those before it) so that a row without the
 * value is dismissed by one test, and an index on the tested column can serve the first.
 */
export function segmentIsSql(sql: Sql, segmenter: Segmenter, a: string, value: string): Fragment {
  // A condition on a null (no priority) is null, which CASE passes over: "is not true" does the same.
  const noneOf = (branches: Segmenter["branches"]) =>
    fragments(
      sql,
      branches.map((b) => sql` and (${b.when(sql, a)}) is not true`),
    );
  const ways: Fragment[] = [];
  segmenter.branches.forEach((b, i) => {
    if (b.label === value) ways.push(sql`((${b.when(sql, a)})${noneOf(segmenter.branches.slice(0, i))})`);
  });
  const o = segmenter.otherwise;
  if ("value" in o) ways.push(sql`(${o.value(sql, a)} = ${value}::text${noneOf(segmenter.branches)})`);
  else if (o.label === value) ways.push(sql`(true${noneOf(segmenter.branches)})`);
  if (ways.length === 0) return sql`false`;
  return sql`(${ways.flatMap((w, i) => (i === 0 ? [w] : [sql`or`, w]))})`;
}

/** SQL: whether the row aliased `a` holds more than one of the dimension's values (false for single-valued ones). */
export function multiValueSql(sql: Sql, segmenter: Segmenter, a: string): Fragment {
  const counted = segmenter.branches.filter((b) => b.label !== UNKNOWN_VALUE);
  if (!segmenter.multiValued || counted.length < 2) return sql`false`;
  const terms = counted.map(
    (b, i) => sql`${i === 0 ? sql`` : sql`+ `}(case when ${b.when(sql, a)} then 1 else 0 end) `,
  );
  return sql`((${terms}) > 1)`;
}

/** The segmenter of a dimension, named with what the project's bindings and connection know. */
export function segmenterOf(dimension: SegmentDimension, sources: LabelSources): Segmenter | null {
  switch (dimension.kind) {
    case "none":
      return null;
    case "type": {
      const ids = [0, 1, ...sources.taskTypes.map((t) => t.id).filter((id) => id > 1)];
      const branches = [...new Set(ids)].map((id) => ({
        label: taskTypeName(id, sources.taskTypes),
        when: (sql: Sql, a: string) => sql`${col(sql, a, "task_type_id")} = ${id}::int`,
      }));
      return {
        dimension,
        title: "task type",
        values: unique([...branches.map((b) => b.label), UNKNOWN_TASK_TYPE]),
        note: null,
        multiValued: false,
        branches,
        otherwise: { label: UNKNOWN_TASK_TYPE },
      };
    }
    case "priority":
      return {
        dimension,
        title: "priority",
        values: [...PRIORITIES, NO_VALUE],
        note: null,
        multiValued: false,
        branches: PRIORITIES.map((p) => ({
          label: p,
          when: (sql: Sql, a: string) => sql`${col(sql, a, "priority")} = ${p}::task_priority`,
        })),
        otherwise: { label: NO_VALUE },
      };
    case "list": {
      const branches = sources.lists.map((l) => ({
        label: l.name,
        when: (sql: Sql, a: string) => sql`${col(sql, a, "home_list_id")} = ${l.id}::text`,
      }));
      return {
        dimension,
        title: "home list",
        values: unique(branches.map((b) => b.label)),
        note: null,
        multiValued: false,
        branches,
        // A list the project does not bind by itself (one inside a bound folder or space): its id.
        otherwise: { value: (sql, a) => sql`('list ' || ${col(sql, a, "home_list_id")})` },
      };
    }
    case "tag_group":
      return {
        dimension,
        title: dimension.name,
        values: [...dimension.tags, NO_VALUE],
        note: null,
        multiValued: true,
        branches: dimension.tags.map((tag) => ({
          label: tag,
          when: (sql: Sql, a: string) => sql`${tag}::text = any(${col(sql, a, "tags")})`,
        })),
        otherwise: { label: NO_VALUE },
      };
    case "drop_down":
    case "labels": {
      const field = sources.fields.find((f) => f.fieldId === dimension.fieldId);
      const label = fieldLabel(dimension.fieldId, sources.fields);
      if (!field) {
        // docs/flow-metrics.md §6.1: a dimension on an unknown field gives one segment, the whole project.
        return {
          dimension,
          title: label.name,
          values: [label.name],
          note: `${label.note} The project's segment setting uses it, so every case counts in one segment until an admin picks another field in \`/flow settings segments\`.`,
          multiValued: false,
          branches: [],
          otherwise: { label: label.name },
        };
      }
      const options = field.kind === "drop_down" ? byOrderindex(field.options) : field.options;
      const branches = options.map((o) => ({
        label: o.name || UNKNOWN_VALUE,
        when: (sql: Sql, a: string) =>
          sql`${col(sql, a, "field_values")} @> ${sqlJson(sql, [{ fieldId: field.fieldId, optionIds: [o.id] }])}::jsonb`,
      }));
      branches.push({
        label: UNKNOWN_VALUE,
        when: (sql: Sql, a: string) =>
          sql`${col(sql, a, "field_values")} @> ${sqlJson(sql, [{ fieldId: field.fieldId }])}::jsonb`,
      });
      return {
        dimension,
        title: field.name,
        values: unique([...branches.map((b) => b.label), NO_VALUE]),
        note: null,
        multiValued: dimension.kind === "labels",
        branches,
        otherwise: { label: NO_VALUE },
      };
    }
  }
}

function byOrderindex<T extends { orderindex: number | null }>(options: readonly T[]): T[] {
  return [...options].sort(
    (a, b) => (a.orderindex ?? Number.MAX_SAFE_INTEGER) - (b.orderindex ?? Number.MAX_SAFE_INTEGER),
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
