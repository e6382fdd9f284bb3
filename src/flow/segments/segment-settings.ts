import type { Sql } from "postgres";

/*
 * A project's segment dimension (docs/flow-metrics.md §6.3), as `/flow settings segments` saves it in
 * segment_settings. A project without a row has none: it is one segment, and §4.8–§4.9 apply as written.
 */

export const SEGMENT_DIMENSIONS = [
  "none",
  "type",
  "priority",
  "tag_group",
  "drop_down",
  "labels",
  "list",
] as const;
export type DimensionKind = (typeof SEGMENT_DIMENSIONS)[number];

/** The one field a project segments by. A tag group's tags are keys (trimmed, lower-cased), in its order. */
export type SegmentDimension =
  | { kind: "none" }
  | { kind: "type" }
  | { kind: "priority" }
  | { kind: "list" }
  | { kind: "tag_group"; name: string; tags: string[] }
  | { kind: "drop_down" | "labels"; fieldId: string };

type Row = {
  dimension: DimensionKind;
  tagGroupName: string | null;
  tagGroupTags: string[];
  fieldId: string | null;
};

function dimensionOf(row: Row | undefined): SegmentDimension {
  if (!row) return { kind: "none" };
  switch (row.dimension) {
    case "tag_group":
      return { kind: "tag_group", name: row.tagGroupName ?? "", tags: row.tagGroupTags };
    case "drop_down":
    case "labels":
      return { kind: row.dimension, fieldId: row.fieldId ?? "" };
    default:
      return { kind: row.dimension };
  }
}

/** The project's segment dimension; `none` when it never set one. */
export async function loadSegmentDimension(sql: Sql, projectId: number): Promise<SegmentDimension> {
  const [row] = await sql<Row[]>`
    select dimension::text as dimension, tag_group_name as "tagGroupName", tag_group_tags as "tagGroupTags",
           field_id as "fieldId"
    from segment_settings where project_id = ${projectId}`;
  return dimensionOf(row);
}

/** Saves the project's segment dimension (one row per project; the last save wins). */
export async function saveSegmentDimension(
  sql: Sql,
  projectId: number,
  dimension: SegmentDimension,
  by: { userId: string; at: Date },
): Promise<void> {
  const tagGroupName = dimension.kind === "tag_group" ? dimension.name : null;
  const tags = dimension.kind === "tag_group" ? dimension.tags : [];
  const fieldId = dimension.kind === "drop_down" || dimension.kind === "labels" ? dimension.fieldId : null;
  await sql`
    insert into segment_settings (project_id, dimension, tag_group_name, tag_group_tags, field_id, updated_by,
                                  updated_at)
    values (${projectId}, ${dimension.kind}::segment_dimension, ${tagGroupName}, ${tags}::text[], ${fieldId},
            ${by.userId}, ${by.at}::timestamptz)
    on conflict (project_id) do update set
      dimension = excluded.dimension, tag_group_name = excluded.tag_group_name,
      tag_group_tags = excluded.tag_group_tags, field_id = excluded.field_id,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
}
