import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  bindings,
  connections,
  customFieldDefinitions,
  customTaskTypes,
  projects,
  trackedCases,
} from "../../../db/schema.ts";
import { unbindBinding } from "../../../src/bindings/unbind-binding.ts";
import { removeConnection } from "../../../src/connection/connection-store.ts";
import {
  loadFieldDefinitions,
  loadTaskTypes,
  parseFieldsResponse,
  sameTaskFields,
  saveFieldDefinitions,
  saveTaskTypes,
  type TaskType,
  taskFieldColumns,
  taskFields,
  taskFieldsOfCase,
} from "../../../src/sync/task-fields/index.ts";
import { useTestDatabase } from "../../helpers/test-database.ts";
import {
  AREA_API,
  AREAS,
  areasField,
  blockedField,
  parseTask,
  rawTask,
  SEVERITY,
  severityField,
} from "./fixtures.ts";

const database = useTestDatabase();
const fetchedAt = new Date("2026-01-09T09:00:00Z");

async function seedBinding(slackTeamId: string, containerId: string) {
  const { db } = database;
  const [connection] = await db
    .insert(connections)
    .values({
      slackTeamId,
      clickupTeamId: "9001",
      clickupTeamName: "Acme",
      tokenSealed: "sealed",
      tokenLast4: "abcd",
      tokenOwnerId: 183,
      tokenOwnerName: "Jane",
      connectedBy: "U1",
    })
    .returning();
  const [project] = await db.insert(projects).values({ slackTeamId, channelId: "C1" }).returning();
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project!.id,
      containerType: "list",
      containerId,
      containerName: "Sprint backlog",
      containerPath: "Engineering › Sprint backlog",
      spaceId: "701",
      createdBy: "U1",
    })
    .returning();
  return { connection: connection!, binding: binding! };
}

async function insertCase(
  bindingId: number,
  taskId: string,
  extra: Partial<typeof trackedCases.$inferInsert> = {},
) {
  const [row] = await database.db
    .insert(trackedCases)
    .values({
      bindingId,
      taskId,
      name: `Task ${taskId}`,
      url: `https://app.clickup.com/t/${taskId}`,
      homeListId: "901",
      statusName: "in progress",
      statusType: "custom",
      statusOrderindex: 1,
      dateCreated: new Date("2026-01-01T00:00:00Z"),
      dateUpdated: new Date("2026-01-08T00:00:00Z"),
      ...extra,
    })
    .returning();
  return row!;
}

describe("migration 0023: task fields", () => {
  it("gives an existing-style case empty fields, type 0 and no last activity", async () => {
    const { binding } = await seedBinding("T-defaults", "900");
    const row = await insertCase(binding.id, "86bdefault");
    expect(taskFieldsOfCase(row)).toEqual({
      tags: [],
      priority: null,
      taskTypeId: 0,
      fieldValues: [],
      waitingOn: [],
      homeListId: "901",
    });
    expect(row.lastActivityAt).toBeNull();
  });

  it("stores a task's fields and reads them back equal, and the filters the segments use find it", async () => {
    const { binding } = await seedBinding("T-store", "901");
    const fields = taskFields(parseTask(rawTask()));
    const activity = new Date("2026-01-08T12:00:00Z");
    const row = await insertCase(binding.id, "86b1x2y3z", {
      ...taskFieldColumns(fields),
      lastActivityAt: activity,
    });
    await insertCase(binding.id, "86bother");

    const [back] = await database.db.select().from(trackedCases).where(eq(trackedCases.id, row.id));
    expect(sameTaskFields(taskFieldsOfCase(back!), fields)).toBe(true);
    expect(back!.lastActivityAt).toEqual(activity);

    const hits = (where: ReturnType<typeof sql>) =>
      database.db
        .select({ taskId: trackedCases.taskId })
        .from(trackedCases)
        .where(sql`${trackedCases.bindingId} = ${binding.id} and ${where}`);
    expect(await hits(sql`tags @> array['bug']`)).toEqual([{ taskId: "86b1x2y3z" }]);
    expect(await hits(sql`priority = 'high'`)).toEqual([{ taskId: "86b1x2y3z" }]);
    expect(await hits(sql`task_type_id = 1300`)).toEqual([{ taskId: "86b1x2y3z" }]);
    const labelled = JSON.stringify([{ fieldId: AREAS, optionIds: [AREA_API] }]);
    expect(await hits(sql`field_values @> ${labelled}::jsonb`)).toEqual([{ taskId: "86b1x2y3z" }]);
    const ticked = JSON.stringify([{ fieldId: blockedField.id, checked: true }]);
    expect(await hits(sql`field_values @> ${ticked}::jsonb`)).toEqual([{ taskId: "86b1x2y3z" }]);
    expect(await hits(sql`waiting_on @> array['86b0aaaaa'] and waiting_on <> '{}'`)).toEqual([
      { taskId: "86b1x2y3z" },
    ]);
  });

  it("indexes the tag, field value and waiting-on filters", async () => {
    const indexes = await database.sql<{ indexname: string; indexdef: string }[]>`
      select indexname, indexdef from pg_indexes where tablename = 'tracked_cases' and indexname in
        ('tracked_cases_tags', 'tracked_cases_field_values', 'tracked_cases_waiting_on') order by 1`;
    expect(indexes.map((i) => i.indexname)).toEqual([
      "tracked_cases_field_values",
      "tracked_cases_tags",
      "tracked_cases_waiting_on",
    ]);
    expect(indexes.every((i) => i.indexdef.includes("USING gin"))).toBe(true);
    expect(indexes[0]!.indexdef).toContain("jsonb_path_ops");
  });

  it("replaces a binding's cached field definitions and a connection's task types", async () => {
    const { connection, binding } = await seedBinding("T-cache", "902");
    const first = parseFieldsResponse({ fields: [severityField, areasField, blockedField] });
    await saveFieldDefinitions(database.db, binding.id, first, fetchedAt);
    expect(await loadFieldDefinitions(database.db, binding.id)).toEqual(first);

    // Later ClickUp lists Severity renamed and Areas gone: the cache follows.
    const renamed = parseFieldsResponse({ fields: [{ ...severityField, name: "Impact" }, blockedField] });
    const later = new Date("2026-01-10T09:00:00Z");
    await saveFieldDefinitions(database.db, binding.id, renamed, later);
    expect(await loadFieldDefinitions(database.db, binding.id)).toEqual(renamed);
    const stamps = await database.db
      .select({ fieldId: customFieldDefinitions.fieldId, fetchedAt: customFieldDefinitions.fetchedAt })
      .from(customFieldDefinitions)
      .where(eq(customFieldDefinitions.bindingId, binding.id));
    expect(stamps.map((s) => s.fetchedAt)).toEqual([later, later]);
    expect(stamps.map((s) => s.fieldId).sort()).toEqual([SEVERITY, blockedField.id].sort());
    await saveFieldDefinitions(database.db, binding.id, [], later);
    expect(await loadFieldDefinitions(database.db, binding.id)).toEqual([]);

    const types: TaskType[] = [
      { id: 1300, name: "Bug" },
      { id: 1301, name: "Feature" },
    ];
    await saveTaskTypes(database.db, connection.id, types, fetchedAt);
    expect(await loadTaskTypes(database.db, connection.id)).toEqual(types);
    await saveTaskTypes(database.db, connection.id, [{ id: 1300, name: "Defect" }], later);
    expect(await loadTaskTypes(database.db, connection.id)).toEqual([{ id: 1300, name: "Defect" }]);
  });

  it("deletes the cached definitions with the binding (unbind & delete data) and task types with the connection", async () => {
    const { connection, binding } = await seedBinding("T-cascade", "903");
    await insertCase(binding.id, "86bcascade", taskFieldColumns(taskFields(parseTask(rawTask()))));
    await saveFieldDefinitions(
      database.db,
      binding.id,
      parseFieldsResponse({ fields: [severityField] }),
      fetchedAt,
    );
    await saveTaskTypes(database.db, connection.id, [{ id: 1300, name: "Bug" }], fetchedAt);

    await unbindBinding(database.db, undefined, binding.id, true, new Date());
    expect(
      await database.db.select().from(trackedCases).where(eq(trackedCases.bindingId, binding.id)),
    ).toEqual([]);
    expect(await loadFieldDefinitions(database.db, binding.id)).toEqual([]);
    expect(await loadTaskTypes(database.db, connection.id)).toHaveLength(1);

    await removeConnection(database.db, connection, true);
    expect(
      await database.db.select().from(customTaskTypes).where(eq(customTaskTypes.connectionId, connection.id)),
    ).toEqual([]);
  });
});
