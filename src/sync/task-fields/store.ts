import { and, asc, eq, notInArray, type SQL, sql } from "drizzle-orm";
import { customFieldDefinitions, customTaskTypes, type trackedCases } from "../../../db/schema.ts";
import type { Db } from "../../db/connect-database.ts";
import { isKeptKind } from "./custom-field-values.ts";
import type { TaskType } from "./task-types.ts";
import type { FieldDefinition, TaskFields } from "./types.ts";

/** The value an upsert tried to insert into `column` (ON CONFLICT … DO UPDATE). */
function excluded(column: string): SQL {
  return sql.raw(`excluded.${column}`);
}

/** tracked_cases columns (drizzle names) holding a task's kept fields, for an insert or an update. */
export function taskFieldColumns(fields: TaskFields) {
  return {
    tags: fields.tags,
    priority: fields.priority,
    taskTypeId: fields.taskTypeId,
    fieldValues: fields.fieldValues,
    waitingOn: fields.waitingOn,
    homeListId: fields.homeListId,
  } satisfies Partial<typeof trackedCases.$inferInsert>;
}

/** A case's kept fields as stored (a tracked_cases row read with drizzle). */
export function taskFieldsOfCase(
  row: Pick<
    typeof trackedCases.$inferSelect,
    "tags" | "priority" | "taskTypeId" | "fieldValues" | "waitingOn" | "homeListId"
  >,
): TaskFields {
  return {
    tags: row.tags,
    priority: row.priority,
    taskTypeId: row.taskTypeId,
    fieldValues: row.fieldValues,
    waitingOn: row.waitingOn,
    homeListId: row.homeListId,
  };
}

/**
 * Replaces a binding's cached custom field definitions with what ClickUp listed now (`fetchedAt`): fields
 * no longer listed are dropped, so their values degrade to "(unknown field)" from then on.
 */
export async function saveFieldDefinitions(
  db: Db,
  bindingId: number,
  definitions: readonly FieldDefinition[],
  fetchedAt: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    const ids = definitions.map((d) => d.fieldId);
    await tx
      .delete(customFieldDefinitions)
      .where(
        ids.length === 0
          ? eq(customFieldDefinitions.bindingId, bindingId)
          : and(
              eq(customFieldDefinitions.bindingId, bindingId),
              notInArray(customFieldDefinitions.fieldId, ids),
            ),
      );
    if (definitions.length === 0) return;
    await tx
      .insert(customFieldDefinitions)
      .values(
        definitions.map((d) => ({
          bindingId,
          fieldId: d.fieldId,
          name: d.name,
          kind: d.kind,
          options: d.options,
          fetchedAt,
        })),
      )
      .onConflictDoUpdate({
        target: [customFieldDefinitions.bindingId, customFieldDefinitions.fieldId],
        set: {
          name: excluded("name"),
          kind: excluded("kind"),
          options: excluded("options"),
          fetchedAt: excluded("fetched_at"),
        },
      });
  });
}

/** A binding's cached custom field definitions (kept kinds only), by field id. */
export async function loadFieldDefinitions(db: Db, bindingId: number): Promise<FieldDefinition[]> {
  const rows = await db
    .select()
    .from(customFieldDefinitions)
    .where(eq(customFieldDefinitions.bindingId, bindingId))
    .orderBy(asc(customFieldDefinitions.fieldId));
  return rows.flatMap((r) =>
    isKeptKind(r.kind) ? [{ fieldId: r.fieldId, name: r.name, kind: r.kind, options: r.options }] : [],
  );
}

/** Replaces a connection's cached custom task types with the ones ClickUp listed now. */
export async function saveTaskTypes(
  db: Db,
  connectionId: number,
  types: readonly TaskType[],
  fetchedAt: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    const ids = types.map((t) => t.id);
    await tx
      .delete(customTaskTypes)
      .where(
        ids.length === 0
          ? eq(customTaskTypes.connectionId, connectionId)
          : and(eq(customTaskTypes.connectionId, connectionId), notInArray(customTaskTypes.typeId, ids)),
      );
    if (types.length === 0) return;
    await tx
      .insert(customTaskTypes)
      .values(types.map((t) => ({ connectionId, typeId: t.id, name: t.name, fetchedAt })))
      .onConflictDoUpdate({
        target: [customTaskTypes.connectionId, customTaskTypes.typeId],
        set: { name: excluded("name"), fetchedAt: excluded("fetched_at") },
      });
  });
}

/** A connection's cached custom task types, by id. */
export async function loadTaskTypes(db: Db, connectionId: number): Promise<TaskType[]> {
  const rows = await db
    .select({ id: customTaskTypes.typeId, name: customTaskTypes.name })
    .from(customTaskTypes)
    .where(eq(customTaskTypes.connectionId, connectionId))
    .orderBy(asc(customTaskTypes.typeId));
  return rows;
}
