import { describe, expect, it } from "vitest";
import {
  applyHistoryItem,
  type FieldDefinition,
  type TaskFields,
  taskFields,
} from "../../../src/sync/task-fields/index.ts";
import {
  AREA_API,
  AREA_UI,
  AREAS,
  areasField,
  BLOCKED_BOX,
  blockedField,
  historyItem,
  notesField,
  parseTask,
  rawTask,
  SEV_CRITICAL,
  SEV_HIGH,
  SEV_LOW,
  SEVERITY,
  severityField,
} from "./fixtures.ts";

const base: TaskFields = taskFields(parseTask(rawTask()));
const at = 1767916800000;

/** A custom field item carries the field's definition (without a value) beside before/after. */
function customFieldItem(field: Record<string, unknown>, before: unknown, after: unknown) {
  return historyItem({ field: "custom_field", before, after, extra: { custom_field: field } });
}

describe("applyHistoryItem", () => {
  it("adds the tags of a `tag` item (taskTagUpdated, and taskUpdated with the same item) once", () => {
    const item = historyItem({
      field: "tag",
      after: [{ name: "Blocked", tag_fg: "#FF4081", tag_bg: "#FF4081", creator: 2770032 }],
    });
    const first = applyHistoryItem(base, item);
    expect(first).toEqual({
      fields: { ...base, tags: ["backend", "blocked", "bug"] },
      changed: true,
      activity: true,
      at,
    });
    // The same change delivered again under the other event: nothing new.
    const again = applyHistoryItem(first.fields, item);
    expect(again.changed).toBe(false);
    expect(again.fields).toBe(first.fields);
    expect(again.activity).toBe(true);
  });

  it("removes the tags of a `tag_removed` item", () => {
    const item = historyItem({
      field: "tag_removed",
      before: [{ name: "BUG", tag_fg: "#fff", tag_bg: "#e50000" }],
    });
    const result = applyHistoryItem(base, item);
    expect(result.fields.tags).toEqual(["backend"]);
    expect(result.changed).toBe(true);
    expect(applyHistoryItem(result.fields, item).changed).toBe(false);
  });

  it("sets and clears the priority (taskPriorityUpdated)", () => {
    const urgent = applyHistoryItem(
      base,
      historyItem({
        field: "priority",
        before: { id: "2", priority: "high", color: "#ffcc00", orderindex: "2" },
        after: { id: "1", priority: "urgent", color: "#f50000", orderindex: "1" },
      }),
    );
    expect(urgent.fields.priority).toBe("urgent");
    expect(urgent.changed).toBe(true);
    const cleared = applyHistoryItem(
      urgent.fields,
      historyItem({ field: "priority", before: { id: "1", priority: "urgent" }, after: null }),
    );
    expect(cleared.fields.priority).toBeNull();
    expect(cleared.changed).toBe(true);
  });

  it("changes a drop-down named by option id or by orderindex, and clears it", () => {
    const byId = applyHistoryItem(base, customFieldItem(severityField, SEV_CRITICAL, SEV_LOW));
    expect(byId.fields.fieldValues).toContainEqual({
      fieldId: SEVERITY,
      kind: "drop_down",
      optionIds: [SEV_LOW],
    });
    expect(byId.changed).toBe(true);
    const byPosition = applyHistoryItem(base, customFieldItem(severityField, 2, "1"));
    expect(byPosition.fields.fieldValues).toContainEqual({
      fieldId: SEVERITY,
      kind: "drop_down",
      optionIds: [SEV_HIGH],
    });
    const cleared = applyHistoryItem(base, customFieldItem(severityField, 2, null));
    expect(cleared.fields.fieldValues.map((v) => v.fieldId)).toEqual([AREAS, BLOCKED_BOX]);
    expect(cleared.changed).toBe(true);
  });

  it("replaces a labels value and ticks or unticks a checkbox, keeping the canonical order", () => {
    const start: TaskFields = { ...base, fieldValues: [] };
    const labels = applyHistoryItem(start, customFieldItem(areasField, null, [AREA_UI, AREA_API, AREA_UI]));
    expect(labels.fields.fieldValues).toEqual([
      { fieldId: AREAS, kind: "labels", optionIds: [AREA_API, AREA_UI] },
    ]);
    const ticked = applyHistoryItem(labels.fields, customFieldItem(blockedField, null, "true"));
    expect(ticked.fields.fieldValues).toEqual([
      { fieldId: AREAS, kind: "labels", optionIds: [AREA_API, AREA_UI] },
      { fieldId: BLOCKED_BOX, kind: "checkbox", checked: true },
    ]);
    const unticked = applyHistoryItem(ticked.fields, customFieldItem(blockedField, "true", false));
    expect(unticked.fields.fieldValues).toEqual(labels.fields.fieldValues);
    expect(unticked.changed).toBe(true);
  });

  it("uses the cached definition when the item's field has no type or options", () => {
    const definitions: FieldDefinition[] = [
      {
        fieldId: SEVERITY,
        name: "Severity",
        kind: "drop_down",
        options: [
          { id: SEV_LOW, name: "Low", orderindex: 0 },
          { id: SEV_HIGH, name: "High", orderindex: 1 },
        ],
      },
    ];
    const item = customFieldItem({ id: SEVERITY, name: "Severity" }, null, 0);
    expect(applyHistoryItem(base, item, definitions).fields.fieldValues).toContainEqual({
      fieldId: SEVERITY,
      kind: "drop_down",
      optionIds: [SEV_LOW],
    });
    // Without a type anywhere, the field is not one flowbot keeps: nothing changes.
    expect(applyHistoryItem(base, item).changed).toBe(false);
  });

  it("records other fields' changes as activity without changing the kept fields", () => {
    const items = [
      customFieldItem(notesField, "customer reported twice", "fixed in 2.3"),
      historyItem({
        field: "status",
        before: { status: "to do", color: "#d3d3d3", orderindex: 0, type: "open" },
        after: { status: "in progress", color: "#5f55ee", orderindex: 1, type: "custom" },
        extra: { data: { status_type: "custom" } },
      }),
      historyItem({
        field: "comment",
        after: "9001",
        extra: { comment: { id: "9001", text_content: "ping" } },
      }),
      historyItem({ field: "assignee_add", after: { id: 185, username: "Kim" } }),
      historyItem({ field: "due_date", before: null, after: "1768521600000" }),
      // Dependencies and task types come from task payloads only (docs/clickup.md §15.5).
      historyItem({ field: "dependency", after: { task_id: "86b1x2y3z", depends_on: "86b0bbbbb" } }),
      historyItem({ field: "custom_item_id", before: 1300, after: 1301 }),
    ];
    for (const item of items) {
      const result = applyHistoryItem(base, item);
      expect(result).toEqual({ fields: base, changed: false, activity: true, at });
      expect(result.fields).toBe(base);
    }
  });

  it("moves the home list on `section_moved` (taskMoved)", () => {
    const item = historyItem({
      field: "section_moved",
      before: { id: "901", name: "Sprint backlog", category: { id: "801" }, project: { id: "701" } },
      after: { id: "902", name: "Next sprint", category: { id: "801" }, project: { id: "701" } },
    });
    const result = applyHistoryItem(base, item);
    expect(result.fields.homeListId).toBe("902");
    expect(result.changed).toBe(true);
  });

  it("leaves the fields alone, without throwing, for anything it cannot read", () => {
    const odd: unknown[] = [
      null,
      "tag",
      42,
      {},
      { field: 5 },
      historyItem({ field: "tag", after: 17 }),
      historyItem({ field: "tag", after: [{ tag_fg: "#fff" }, { name: "  " }] }),
      historyItem({ field: "tag_removed", before: 7 }),
      historyItem({ field: "custom_field", after: SEV_LOW }),
      historyItem({ field: "custom_field", after: 1, extra: { custom_field: "broken" } }),
      customFieldItem(severityField, null, 9),
      historyItem({ field: "section_moved", after: "902" }),
      historyItem({ field: "taskDependencyUpdated", after: { depends_on: "86b0aaaaa" } }),
    ];
    for (const item of odd) {
      const result = applyHistoryItem({ ...base, fieldValues: [] }, item);
      expect(result.changed).toBe(false);
    }
    expect(applyHistoryItem(base, null)).toEqual({ fields: base, changed: false, activity: false, at: null });
    expect(applyHistoryItem(base, { field: "tag", after: [{ name: "x" }] }).at).toBeNull();
  });
});
