import { type ClickUpTask, taskSchema } from "../../../src/clickup/schemas.ts";

/*
 * Hand-written payloads in ClickUp's shapes (docs/clickup.md §4–5, §10–15): ids as strings, ms timestamps as
 * strings, a drop-down naming its option by orderindex, labels by option id, a checkbox as "true".
 */

export const SEVERITY = "6a1b4e2c-0d5f-4a7e-9b3c-1f2e3d4c5b6a";
export const SEV_LOW = "0c9d8e7f-1111-4aaa-8bbb-000000000001";
export const SEV_HIGH = "0c9d8e7f-2222-4aaa-8bbb-000000000002";
export const SEV_CRITICAL = "0c9d8e7f-3333-4aaa-8bbb-000000000003";
export const AREAS = "7b2c5f3d-1e6a-4b8f-8c4d-2a3b4c5d6e7f";
export const AREA_API = "b1000000-aaaa-4bbb-8ccc-000000000001";
export const AREA_UI = "b1000000-aaaa-4bbb-8ccc-000000000002";
export const BLOCKED_BOX = "8c3d6a4e-2f7b-4c9a-9d5e-3b4c5d6e7f80";
export const NOTES = "9d4e7b5f-3a8c-4dab-8e6f-4c5d6e7f8091";

export const severityField = {
  id: SEVERITY,
  name: "Severity",
  type: "drop_down",
  type_config: {
    default: 0,
    placeholder: null,
    options: [
      { id: SEV_LOW, name: "Low", color: "#2ecd6f", orderindex: 0 },
      { id: SEV_HIGH, name: "High", color: "#f9d900", orderindex: 1 },
      { id: SEV_CRITICAL, name: "Critical", color: "#e50000", orderindex: 2 },
    ],
  },
  date_created: "1700000000000",
  hide_from_guests: false,
  required: false,
};

export const areasField = {
  id: AREAS,
  name: "Areas",
  type: "labels",
  type_config: {
    options: [
      { id: AREA_API, label: "API", color: "#7b68ee" },
      { id: AREA_UI, label: "UI", color: "#ff7800" },
    ],
  },
  date_created: "1700000000001",
  hide_from_guests: false,
  required: false,
};

export const blockedField = {
  id: BLOCKED_BOX,
  name: "Blocked externally",
  type: "checkbox",
  type_config: {},
  date_created: "1700000000002",
  hide_from_guests: false,
  required: false,
};

export const notesField = {
  id: NOTES,
  name: "Notes",
  type: "short_text",
  type_config: {},
  date_created: "1700000000003",
  hide_from_guests: false,
  required: false,
};

/** A task as `GET /v2/team/{id}/task` returns it, with the fields flowbot keeps filled in. */
export function rawTask(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "86b1x2y3z",
    custom_id: "ENG-42",
    custom_item_id: 1300,
    name: "Checkout fails for saved cards",
    text_content: "",
    description: "",
    status: { id: "sc901_abc", status: "in progress", color: "#5f55ee", orderindex: 1, type: "custom" },
    orderindex: "2000.00000000000000000000000000000000",
    date_created: "1767225600000",
    date_updated: "1767830400000",
    date_closed: null,
    date_done: null,
    archived: false,
    creator: { id: 183, username: "Jane", color: "#7b68ee", email: "jane@example.com", profilePicture: null },
    assignees: [{ id: 184, username: "Sam", color: "#ff7800", initials: "S", email: "sam@example.com" }],
    watchers: [],
    checklists: [],
    tags: [
      { name: "Bug", tag_fg: "#ffffff", tag_bg: "#e50000", creator: 183 },
      { name: "backend", tag_fg: "#ffffff", tag_bg: "#7b68ee", creator: 183 },
    ],
    parent: null,
    top_level_parent: null,
    priority: { color: "#f8ae00", id: "2", orderindex: "2", priority: "high" },
    due_date: null,
    start_date: null,
    points: null,
    time_estimate: null,
    custom_fields: [
      { ...severityField, value: 2 },
      { ...areasField, value: [AREA_UI, AREA_API] },
      { ...blockedField, value: "true" },
      { ...notesField, value: "customer reported twice" },
    ],
    dependencies: [
      {
        task_id: "86b1x2y3z",
        depends_on: "86b0aaaaa",
        type: 1,
        date_created: "1767300000000",
        userid: "183",
        workspace_id: "9001",
        chain_id: null,
      },
      {
        task_id: "86b2ccccc",
        depends_on: "86b1x2y3z",
        type: 0,
        date_created: "1767300000001",
        userid: "183",
        workspace_id: "9001",
        chain_id: null,
      },
    ],
    linked_tasks: [],
    locations: [],
    team_id: "9001",
    url: "https://app.clickup.com/t/86b1x2y3z",
    permission_level: "create",
    list: { id: "901", name: "Sprint backlog", access: true },
    project: { id: "801", name: "Engineering", hidden: false, access: true },
    folder: { id: "801", name: "Engineering", hidden: false, access: true },
    space: { id: "701" },
    ...overrides,
  };
}

export function parseTask(raw: Record<string, unknown>): ClickUpTask {
  return taskSchema.parse(raw);
}

/** A webhook history item as ClickUp sends it (docs/clickup.md §5.3). */
export function historyItem(parts: {
  field: string;
  before?: unknown;
  after?: unknown;
  date?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    id: "2800797048554170804",
    type: 1,
    date: parts.date ?? "1767916800000",
    field: parts.field,
    parent_id: "901",
    data: {},
    source: null,
    user: {
      id: 183,
      username: "Jane",
      email: "jane@example.com",
      color: "#7b68ee",
      initials: "J",
      profilePicture: null,
    },
    before: parts.before ?? null,
    after: parts.after ?? null,
    ...parts.extra,
  };
}
