import type { PendingQuery, Row, Sql } from "postgres";
import type { SegmentScope } from "../metrics/segments-scope.ts";
import { segmentIsSql } from "../segments/segmenter.ts";

/*
 * Which of a project's cases a forecast reads (docs/flow-metrics.md §12.1, §12.6): all of them, one
 * segment (§6.3), or a set named by a list, a bound folder or a tag. Each is a condition on the case's
 * tracked_cases row, so the samples and the open items of a set are counted by one rule.
 */
export type ForecastScope =
  | { kind: "project" }
  | { kind: "segment"; scope: SegmentScope }
  | { kind: "list"; listId: string; name: string }
  | { kind: "folder"; bindingId: number; name: string }
  | { kind: "tag"; tag: string };

/** SQL: whether the tracked_cases row aliased `a` is in the scope (true for the whole project). */
export function scopeCondition(sql: Sql, scope: ForecastScope, a: string): PendingQuery<Row[]> {
  switch (scope.kind) {
    case "project":
      return sql`true`;
    case "segment":
      return segmentIsSql(sql, scope.scope.segmenter, a, scope.scope.value);
    case "list":
      return sql`${sql(a)}.home_list_id = ${scope.listId}::text`;
    case "folder":
      return sql`${sql(a)}.binding_id = ${scope.bindingId}::bigint`;
    case "tag":
      // Containment, so the tags' GIN index can serve it.
      return sql`${sql(a)}.tags @> array[${scope.tag}::text]`;
  }
}

/** How a scope is named in an answer: "the project", "task type Bug", "list Sprint", "tag launch". */
export function scopeTitle(scope: ForecastScope): string {
  switch (scope.kind) {
    case "project":
      return "the whole project";
    case "segment":
      return `${scope.scope.segmenter.title} ${scope.scope.value}`;
    case "list":
      return `list ${scope.name}`;
    case "folder":
      return `folder ${scope.name}`;
    case "tag":
      return `tag ${scope.tag}`;
  }
}

/** A scope's identity, whatever the spelling it was typed in: one track per set (§12.7). */
export function scopeKey(scope: ForecastScope): string {
  switch (scope.kind) {
    case "project":
      return "project";
    case "segment":
      return `segment:${JSON.stringify(scope.scope.segmenter.dimension)}:${scope.scope.value}`;
    case "list":
      return `list:${scope.listId}`;
    case "folder":
      return `folder:${scope.bindingId}`;
    case "tag":
      return `tag:${scope.tag}`;
  }
}
