import type { Sql } from "postgres";
import { isKeptKind } from "../../sync/task-fields/custom-field-values.ts";
import type { TaskType } from "../../sync/task-fields/task-types.ts";
import type { FieldDefinition, FieldOption } from "../../sync/task-fields/types.ts";

/**
 * What names a project's segment values: its workspace's custom task types (per connection), the custom
 * field definitions cached for its bindings, and the lists it binds directly (by their binding's name).
 */
export interface LabelSources {
  taskTypes: TaskType[];
  /** Drop-down, labels and checkbox fields of every binding, one per field id. */
  fields: FieldDefinition[];
  lists: { id: string; name: string }[];
}

export async function loadLabelSources(sql: Sql, projectId: number): Promise<LabelSources> {
  const [taskTypes, fieldRows, lists] = await Promise.all([
    sql<TaskType[]>`
      select t.type_id::int as id, t.name
      from custom_task_types t
      join connections c on c.id = t.connection_id
      join projects p on p.slack_team_id = c.slack_team_id
      where p.id = ${projectId}
      order by t.type_id`,
    sql<{ fieldId: string; name: string; kind: string; options: FieldOption[] }[]>`
      select d.field_id as "fieldId", d.name, d.kind, d.options
      from custom_field_definitions d join bindings b on b.id = d.binding_id
      where b.project_id = ${projectId}
      order by b.id, d.field_id`,
    sql<{ id: string; name: string }[]>`
      select distinct on (container_id) container_id as id, container_name as name
      from bindings where project_id = ${projectId} and container_type = 'list'
      order by container_id, id`,
  ]);
  return { taskTypes, fields: mergeFields(fieldRows), lists };
}

/**
 * One definition per field id across the project's bindings: the first binding's name and kind, and every
 * option any of them lists, in the first binding's order, then the others' (a field of the space or
 * workspace is the same field on every list).
 */
function mergeFields(rows: { fieldId: string; name: string; kind: string; options: FieldOption[] }[]) {
  const byId = new Map<string, FieldDefinition>();
  for (const row of rows) {
    if (!isKeptKind(row.kind)) continue;
    const known = byId.get(row.fieldId);
    if (!known) {
      byId.set(row.fieldId, {
        fieldId: row.fieldId,
        name: row.name,
        kind: row.kind,
        options: [...row.options],
      });
      continue;
    }
    for (const option of row.options) {
      if (!known.options.some((o) => o.id === option.id)) known.options.push(option);
    }
  }
  return [...byId.values()];
}
