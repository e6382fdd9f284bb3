import type { Sql } from "postgres";

/*
 * A project's blocked rules beyond the status rule (docs/flow-metrics.md §9.1), as `/flow settings blocked`
 * saves them in blocked_rules. Saving re-derives the project's intervals in the database (the
 * blocked_rules_set trigger, db/functions/blocked-intervals.sql).
 */

export interface BlockedRules {
  /** Tag keys (trimmed, lower-cased as tracked_cases.tags are). */
  tags: string[];
  /** The chosen custom field and, for a drop-down or labels field, the options that block. */
  field: { fieldId: string; optionIds: string[] } | null;
  dependency: boolean;
}

const NO_BLOCKED_RULES: BlockedRules = { tags: [], field: null, dependency: false };

export async function loadBlockedRules(sql: Sql, projectId: number): Promise<BlockedRules> {
  const [row] = await sql<
    { tags: string[]; fieldId: string | null; optionIds: string[]; dependency: boolean }[]
  >`
    select tag_keys as tags, field_id as "fieldId", option_ids as "optionIds", dependency
    from blocked_rules where project_id = ${projectId}`;
  if (!row) return NO_BLOCKED_RULES;
  return {
    tags: row.tags,
    field: row.fieldId === null ? null : { fieldId: row.fieldId, optionIds: row.optionIds },
    dependency: row.dependency,
  };
}

/** Saves the project's rules (the last save wins) and so re-derives its intervals. */
export async function saveBlockedRules(
  sql: Sql,
  projectId: number,
  rules: BlockedRules,
  by: { userId: string; at: Date },
): Promise<void> {
  await sql`
    insert into blocked_rules (project_id, tag_keys, field_id, option_ids, dependency, updated_by, updated_at)
    values (${projectId}, ${rules.tags}::text[], ${rules.field?.fieldId ?? null},
            ${rules.field?.optionIds ?? []}::text[], ${rules.dependency}, ${by.userId}, ${by.at}::timestamptz)
    on conflict (project_id) do update set
      tag_keys = excluded.tag_keys, field_id = excluded.field_id, option_ids = excluded.option_ids,
      dependency = excluded.dependency, updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
}
