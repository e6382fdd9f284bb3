import { describe, expect, it } from "vitest";
import {
  fieldLabel,
  findFieldByName,
  optionLabel,
  parseCustomItemsResponse,
  parseFieldsResponse,
  taskTypeName,
  UNKNOWN_FIELD,
  UNKNOWN_TASK_TYPE,
  UNKNOWN_VALUE,
} from "../../../src/sync/task-fields/index.ts";
import {
  AREA_API,
  AREA_UI,
  AREAS,
  areasField,
  BLOCKED_BOX,
  blockedField,
  notesField,
  SEV_CRITICAL,
  SEV_HIGH,
  SEV_LOW,
  SEVERITY,
  severityField,
} from "./fixtures.ts";

// `GET /v2/list/{id}/field` answers {fields: [...]}, each a definition without a value.
const fieldsResponse = {
  fields: [
    notesField,
    severityField,
    areasField,
    blockedField,
    { id: "0a52c486-5f05-403b-b4fd-c512ff05131c", name: "Budget", type: "currency", type_config: {} },
    { name: "no id at all", type: "drop_down" },
  ],
};

describe("custom field definitions", () => {
  const definitions = parseFieldsResponse(fieldsResponse);

  it("keeps the drop-down, labels and checkbox fields of a fields answer, with their options", () => {
    expect(definitions).toEqual([
      {
        fieldId: SEVERITY,
        name: "Severity",
        kind: "drop_down",
        options: [
          { id: SEV_LOW, name: "Low", orderindex: 0 },
          { id: SEV_HIGH, name: "High", orderindex: 1 },
          { id: SEV_CRITICAL, name: "Critical", orderindex: 2 },
        ],
      },
      {
        fieldId: AREAS,
        name: "Areas",
        kind: "labels",
        options: [
          { id: AREA_API, name: "API", orderindex: null },
          { id: AREA_UI, name: "UI", orderindex: null },
        ],
      },
      { fieldId: BLOCKED_BOX, name: "Blocked externally", kind: "checkbox", options: [] },
    ]);
    expect(parseFieldsResponse({ err: "Team not authorized", ECODE: "OAUTH_027" })).toEqual([]);
  });

  it("names a field and its options, degrading a field or option ClickUp dropped to a labelled unknown", () => {
    expect(fieldLabel(SEVERITY, definitions)).toEqual({ name: "Severity", known: true, note: null });
    const gone = fieldLabel("deleted-field", definitions);
    expect(gone.name).toBe(UNKNOWN_FIELD);
    expect(gone.known).toBe(false);
    expect(gone.note).toContain("deleted-field");
    expect(gone.note).toContain(UNKNOWN_FIELD);
    expect(optionLabel(AREAS, AREA_UI, definitions)).toBe("UI");
    expect(optionLabel(AREAS, "removed-option", definitions)).toBe(UNKNOWN_VALUE);
    expect(optionLabel("deleted-field", AREA_UI, definitions)).toBe(UNKNOWN_VALUE);
  });

  it("finds a field by the name a user types, ignoring case and spaces; a renamed one is not found", () => {
    expect(findFieldByName("  severity ", definitions)?.fieldId).toBe(SEVERITY);
    expect(findFieldByName("Impact", definitions)).toBeNull();
  });
});

describe("custom task types", () => {
  it("reads the workspace's types, leaving out ids that are no integer, and names the built-in ones", () => {
    const types = parseCustomItemsResponse({
      custom_items: [
        { id: 1301, name: "Feature", name_plural: "Features", description: "" },
        { id: 1300, name: "Bug", name_plural: "Bugs", description: "Custom task type for bugs." },
        { id: "1302", name: "Spike" },
        { id: "1300-900e-462d-a849-4a216b06d930", name: "Odd" },
        { id: 1303, name: "" },
      ],
    });
    expect(types).toEqual([
      { id: 1300, name: "Bug" },
      { id: 1301, name: "Feature" },
      { id: 1302, name: "Spike" },
    ]);
    expect(taskTypeName(1300, types)).toBe("Bug");
    expect(taskTypeName(0, types)).toBe("Task");
    expect(taskTypeName(1, types)).toBe("Milestone");
    expect(taskTypeName(4242, types)).toBe(UNKNOWN_TASK_TYPE);
    expect(parseCustomItemsResponse(null)).toEqual([]);
  });
});
