import { describe, expect, it } from "vitest";
import { type FieldDefinition, taskFields } from "../../../src/sync/task-fields/index.ts";
import {
  AREA_API,
  AREA_UI,
  AREAS,
  BLOCKED_BOX,
  blockedField,
  parseTask,
  rawTask,
  SEV_CRITICAL,
  SEV_HIGH,
  SEV_LOW,
  SEVERITY,
  severityField,
} from "./fixtures.ts";

describe("taskFields", () => {
  it("keeps tags, priority, type, drop-down/labels/checkbox values, waiting-on and the home list", () => {
    expect(taskFields(parseTask(rawTask()))).toEqual({
      tags: ["backend", "bug"],
      priority: "high",
      taskTypeId: 1300,
      fieldValues: [
        { fieldId: SEVERITY, kind: "drop_down", optionIds: [SEV_CRITICAL] },
        { fieldId: AREAS, kind: "labels", optionIds: [AREA_API, AREA_UI] },
        { fieldId: BLOCKED_BOX, kind: "checkbox", checked: true },
      ],
      // The task waits on 86b0aaaaa; 86b2ccccc waits on it, which makes it a blocker, not a waiter.
      waitingOn: ["86b0aaaaa"],
      homeListId: "901",
    });
  });

  it("reads a drop-down's orderindex sent as a string, or an option id, as the option's id", () => {
    const byString = rawTask({ custom_fields: [{ ...severityField, value: "1" }] });
    const byId = rawTask({ custom_fields: [{ ...severityField, value: SEV_LOW }] });
    expect(taskFields(parseTask(byString)).fieldValues).toEqual([
      { fieldId: SEVERITY, kind: "drop_down", optionIds: [SEV_HIGH] },
    ]);
    expect(taskFields(parseTask(byId)).fieldValues).toEqual([
      { fieldId: SEVERITY, kind: "drop_down", optionIds: [SEV_LOW] },
    ]);
  });

  it("leaves out unset fields: no value, null, no labels, an unticked or false checkbox", () => {
    const raw = rawTask({
      custom_fields: [
        { ...severityField },
        { ...severityField, id: "other-dd", value: null },
        { id: AREAS, name: "Areas", type: "labels", type_config: { options: [] }, value: [] },
        { ...blockedField, value: false },
        { ...blockedField, id: "box-2", value: "false" },
      ],
    });
    expect(taskFields(parseTask(raw)).fieldValues).toEqual([]);
  });

  it("does not guess a drop-down position that matches no option", () => {
    const raw = rawTask({ custom_fields: [{ ...severityField, value: 7 }] });
    expect(taskFields(parseTask(raw)).fieldValues).toEqual([]);
  });

  it("takes a drop-down's options from the cached definitions when the payload leaves them out", () => {
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
    const raw = rawTask({ custom_fields: [{ id: SEVERITY, name: "Severity", type: "drop_down", value: 1 }] });
    expect(taskFields(parseTask(raw), definitions).fieldValues).toEqual([
      { fieldId: SEVERITY, kind: "drop_down", optionIds: [SEV_HIGH] },
    ]);
    expect(taskFields(parseTask(raw)).fieldValues).toEqual([]);
  });

  it("lower-cases tags and folds repeats; reads a priority by its id when the name is missing", () => {
    const raw = rawTask({
      tags: [{ name: " Blocked " }, { name: "BLOCKED" }, { name: "" }, "Legacy"],
      priority: { id: "1", color: "#f50000", orderindex: "1" },
    });
    const fields = taskFields(parseTask(raw));
    expect(fields.tags).toEqual(["blocked", "legacy"]);
    expect(fields.priority).toBe("urgent");
  });

  it("reads ClickUp's plain task (custom_item_id null or 0) as type 0 and a milestone as 1", () => {
    expect(taskFields(parseTask(rawTask({ custom_item_id: null }))).taskTypeId).toBe(0);
    expect(taskFields(parseTask(rawTask({ custom_item_id: 0 }))).taskTypeId).toBe(0);
    expect(taskFields(parseTask(rawTask({ custom_item_id: 1 }))).taskTypeId).toBe(1);
    const { custom_item_id: _, ...withoutType } = rawTask();
    expect(taskFields(parseTask(withoutType)).taskTypeId).toBe(0);
  });

  it("never rejects a task for shapes it cannot read in these fields", () => {
    const raw = rawTask({
      tags: "bug",
      priority: "high",
      custom_item_id: { id: 5 },
      custom_fields: [
        { name: "no id", type: "drop_down", value: 1 },
        { ...severityField, type_config: "broken", value: 1 },
        42,
        { ...blockedField, value: "true" },
      ],
      // The published spec types dependencies as plain task ids, which say no direction: ignored.
      dependencies: ["86b0aaaaa", { task_id: "86b1x2y3z" }],
    });
    const parsed = parseTask(raw);
    expect(taskFields(parsed)).toEqual({
      tags: [],
      priority: null,
      taskTypeId: 0,
      fieldValues: [{ fieldId: BLOCKED_BOX, kind: "checkbox", checked: true }],
      waitingOn: [],
      homeListId: "901",
    });
  });

  it("reads a task without any of these fields (an older payload) as having none of them", () => {
    const {
      tags: _t,
      priority: _p,
      custom_fields: _c,
      dependencies: _d,
      custom_item_id: _i,
      ...bare
    } = rawTask();
    expect(taskFields(parseTask(bare))).toEqual({
      tags: [],
      priority: null,
      taskTypeId: 0,
      fieldValues: [],
      waitingOn: [],
      homeListId: "901",
    });
  });
});
