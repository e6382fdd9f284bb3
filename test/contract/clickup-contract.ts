import { type CustomFieldInput, createClickUpFake } from "../fakes/clickup/index.ts";
import { type Allowance, findAllowance, TOLERATED_DRIFTS } from "./allow-list.ts";
import { createValidator, type Mismatch } from "./json-schema.ts";

/**
 * Error responses: the spec declares only 200 for the operations we use, so error bodies are checked
 * against the `{err, ECODE}` shape every v2 endpoint documents (docs/clickup.md §1.4), declared here.
 */
export const DOCUMENTED_ERROR_SCHEMA = {
  type: "object",
  required: ["err", "ECODE"],
  properties: { err: { type: "string" }, ECODE: { type: "string", pattern: "^[A-Z]+_[0-9A-Z]+$" } },
  additionalProperties: false,
};

export interface CheckedResponse {
  operation: string;
  label: string;
  status: number;
  /** Where the schema came from: the spec, or the documented error shape. */
  schemaSource: "spec" | "documented-error";
  mismatches: Mismatch[];
  tolerated: { mismatch: Mismatch; allowance: Allowance }[];
}

interface Operation {
  operationId: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

function findOperation(spec: unknown, operationId: string): Operation {
  const paths = (spec as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const item of Object.values(paths))
    for (const op of Object.values(item))
      if (op && typeof op === "object" && op.operationId === operationId) return op;
  throw new Error(`Operation ${operationId} not found in the spec`);
}

/** Validates one response body against the spec; splits mismatches into real and tolerated ones. */
export function checkResponse(
  spec: unknown,
  operation: string,
  status: number,
  body: unknown,
  label = operation,
  allowList: readonly Allowance[] = TOLERATED_DRIFTS,
): CheckedResponse {
  const validator = createValidator(spec);
  const op = findOperation(spec, operation);
  const declared = op.responses?.[String(status)]?.content?.["application/json"]?.schema;
  const schemaSource = declared !== undefined ? "spec" : "documented-error";
  let found: Mismatch[];
  if (declared !== undefined) found = validator.validate(declared, body);
  else if (status >= 400) found = validator.validate(DOCUMENTED_ERROR_SCHEMA, body);
  else
    found = [
      { path: "", keyword: "status", message: `spec declares no ${status} response`, got: String(status) },
    ];

  // Two schemas describe one element where the API returns a collection. Each element is checked against
  // that element schema, so drift inside the elements is still caught (the allow-list only excuses the
  // collection's own shape).
  const props = (declared as { properties?: Record<string, unknown> } | undefined)?.properties;
  const record = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  // The bulk schema's only properties are the two task ids of its example.
  if (operation === "GetBulkTasks'TimeinStatus" && props?.["27075wz"])
    for (const [id, entry] of Object.entries(record))
      found.push(...validator.validate(props["27075wz"], entry, `/${id}`));
  // GetFolders types `folders` as a single Folder.
  if (operation === "GetFolders" && props?.folders && Array.isArray(record.folders))
    for (const [i, folder] of record.folders.entries())
      found.push(...validator.validate(props.folders, folder, `/folders/${i}`));
  // GetTasks types each task's `custom_fields` as a single field.
  const taskProps = (props?.tasks as { items?: { properties?: Record<string, unknown> } } | undefined)?.items
    ?.properties;
  if (operation === "GetTasks" && taskProps?.custom_fields && Array.isArray(record.tasks))
    for (const [i, task] of record.tasks.entries()) {
      const fields = (task as { custom_fields?: unknown }).custom_fields;
      if (Array.isArray(fields))
        for (const [j, field] of fields.entries())
          found.push(...validator.validate(taskProps.custom_fields, field, `/tasks/${i}/custom_fields/${j}`));
    }

  const result: CheckedResponse = { operation, label, status, schemaSource, mismatches: [], tolerated: [] };
  for (const mismatch of found) {
    const allowance = findAllowance(allowList, operation, mismatch);
    if (allowance) result.tolerated.push({ mismatch, allowance });
    else result.mismatches.push(mismatch);
  }
  return result;
}

interface Call {
  operation: string;
  label: string;
  method?: string;
  path: string;
  body?: unknown;
  token?: string | null;
  expect: number;
}

/** Seeds a workspace that exercises every field kind, calls each endpoint and checks every response. */
export async function runClickUpContract(spec: unknown): Promise<CheckedResponse[]> {
  let t = Date.UTC(2025, 2, 3, 9, 0, 0);
  const fake = createClickUpFake({ now: () => t, webhooks: { deliver: () => ({ status: 200 }) } });
  const team = fake.addWorkspace({ name: "Contract" });
  const token = "pk_contract";
  const user = fake.addUser({ username: "Casey Contract", token, teamIds: [team.id], role: 1 });
  const helperToken = "pk_contract_helper";
  const helper = fake.addUser({ username: "Second User", teamIds: [team.id], token: helperToken });
  const space = fake.addSpace({ teamId: team.id, name: "Space" });
  fake.addSpace({ teamId: team.id, name: "Old space", archived: true });
  const folder = fake.addFolder({ spaceId: space.id, name: "Folder" });
  fake.addFolder({ spaceId: space.id, name: "Old folder", archived: true });
  const list = fake.addList({ folderId: folder.id, name: "List" });
  const loose = fake.addList({
    spaceId: space.id,
    name: "Loose",
    statuses: [
      { status: "new", type: "open" },
      { status: "doing", type: "custom" },
      { status: "finished", type: "done" },
      { status: "closed", type: "closed" },
    ],
  });
  fake.addList({ folderId: folder.id, name: "Old list", archived: true });
  const task = fake.addTask({
    listId: list.id,
    name: "Main",
    customId: "CT-1",
    assignees: [user.id, helper.id],
    dueDate: t + 86_400_000,
    startDate: t,
    timeEstimate: 3_600_000,
    points: 3,
    description: "text",
  });
  t += 600_000;
  fake.setTaskStatus(task.id, "in progress");
  const sub = fake.addTask({ listId: list.id, parent: task.id, name: "Sub" });
  fake.addTask({ listId: list.id, status: "done" });
  fake.addTask({ listId: list.id, status: "complete" });
  fake.addTask({ listId: list.id, archived: true });
  const timl = fake.addTask({ listId: loose.id, name: "Elsewhere" });
  fake.addTaskToList(timl.id, list.id);
  seedTaskFields(fake, {
    team: team.id,
    space: space.id,
    folder: folder.id,
    list: list.id,
    task: task.id,
    sub: sub.id,
    user: user.id,
  });
  t += 600_000;
  const comments = Array.from({ length: 3 }, (_, i) =>
    fake.addComment({ taskId: task.id, text: `comment ${i}`, userId: helper.id }),
  );
  // A threaded reply (docs/clickup.md §16.3), and a cursor for the next page of comments (§16.1).
  fake.addComment({ taskId: task.id, text: "a reply", userId: user.id, parentId: comments[0]!.id });
  const cursor = comments[1]!;
  const many = Array.from({ length: 101 }, (_, i) => `id${i}`);
  // Time entries and goals (docs/clickup.md §18, §19): a stopped entry, a running timer, a goal with a
  // target linked to the task and the list, and a private goal the token may not open.
  fake.people.addTimeEntry({ userId: user.id, taskId: task.id, start: t - 3_600_000, durationMs: 1_800_000 });
  fake.people.addTimeEntry({ userId: helper.id, taskId: task.id, start: t - 600_000, running: true });
  const goal = fake.people.addGoal({
    teamId: team.id,
    name: "Ship it",
    dueDate: t + 30 * 86_400_000,
    percent: 40,
    creatorId: user.id,
    keyResults: [{ name: "Tasks done", taskIds: [task.id], listIds: [list.id], percent: 40 }],
  });
  const hidden = fake.people.addGoal({
    teamId: team.id,
    name: "Private",
    dueDate: t,
    creatorId: helper.id,
    private: true,
    denial: 403,
  });
  const range = `start_date=${t - 86_400_000}&end_date=${t}`;

  const calls: Call[] = [
    { operation: "GetAuthorizedUser", label: "user", path: "/v2/user", expect: 200 },
    { operation: "GetAuthorizedUser", label: "no header", path: "/v2/user", token: null, expect: 401 },
    {
      operation: "GetAuthorizedUser",
      label: "bad token",
      path: "/v2/user",
      token: "pk_revoked",
      expect: 401,
    },
    { operation: "GetAuthorizedTeams", label: "teams", path: "/v2/team", expect: 200 },
    {
      operation: "GetSpaces",
      label: "spaces",
      path: `/v2/team/${team.id}/space?archived=false`,
      expect: 200,
    },
    {
      operation: "GetSpaces",
      label: "archived spaces",
      path: `/v2/team/${team.id}/space?archived=true`,
      expect: 200,
    },
    { operation: "GetSpaces", label: "foreign team", path: "/v2/team/1/space", expect: 401 },
    { operation: "GetSpace", label: "space", path: `/v2/space/${space.id}`, expect: 200 },
    {
      operation: "GetFolders",
      label: "folders",
      path: `/v2/space/${space.id}/folder?archived=false`,
      expect: 200,
    },
    {
      operation: "GetFolders",
      label: "archived folders",
      path: `/v2/space/${space.id}/folder?archived=true`,
      expect: 200,
    },
    { operation: "GetFolder", label: "folder", path: `/v2/folder/${folder.id}`, expect: 200 },
    {
      operation: "GetLists",
      label: "lists",
      path: `/v2/folder/${folder.id}/list?archived=false`,
      expect: 200,
    },
    {
      operation: "GetLists",
      label: "archived lists",
      path: `/v2/folder/${folder.id}/list?archived=true`,
      expect: 200,
    },
    { operation: "GetFolderlessLists", label: "folderless", path: `/v2/space/${space.id}/list`, expect: 200 },
    { operation: "GetList", label: "list", path: `/v2/list/${list.id}`, expect: 200 },
    { operation: "GetList", label: "folderless list", path: `/v2/list/${loose.id}`, expect: 200 },
    { operation: "GetTasks", label: "default", path: `/v2/list/${list.id}/task`, expect: 200 },
    {
      operation: "GetTasks",
      label: "everything",
      path: `/v2/list/${list.id}/task?include_closed=true&subtasks=true&include_timl=true&page=0`,
      expect: 200,
    },
    { operation: "GetTasks", label: "archived", path: `/v2/list/${list.id}/task?archived=true`, expect: 200 },
    {
      operation: "GetFilteredTeamTasks",
      label: "team tasks",
      path: `/v2/team/${team.id}/task?include_closed=true&subtasks=true&space_ids[]=${space.id}`,
      expect: 200,
    },
    { operation: "GetTask", label: "task", path: `/v2/task/${task.id}?include_subtasks=true`, expect: 200 },
    { operation: "GetTask", label: "subtask", path: `/v2/task/${sub.id}`, expect: 200 },
    { operation: "GetTask", label: "missing task", path: "/v2/task/nothere", expect: 404 },
    {
      operation: "GetTask'sTimeinStatus",
      label: "time in status",
      path: `/v2/task/${task.id}/time_in_status`,
      expect: 200,
    },
    {
      operation: "GetBulkTasks'TimeinStatus",
      label: "bulk",
      path: `/v2/task/bulk_time_in_status/task_ids?task_ids=${task.id}&task_ids=${sub.id}`,
      expect: 200,
    },
    {
      operation: "GetBulkTasks'TimeinStatus",
      label: "bulk > 100",
      path: `/v2/task/bulk_time_in_status/task_ids?${many.map((id) => `task_ids=${id}`).join("&")}`,
      expect: 400,
    },
    { operation: "GetTaskComments", label: "comments", path: `/v2/task/${task.id}/comment`, expect: 200 },
    {
      operation: "GetTaskComments",
      label: "comments after a cursor",
      path: `/v2/task/${task.id}/comment?start=${cursor.date}&start_id=${cursor.id}`,
      expect: 200,
    },
    {
      operation: "GetThreadedComments",
      label: "replies",
      path: `/v2/comment/${comments[0]!.id}/reply`,
      expect: 200,
    },
    {
      operation: "GetAccessibleCustomFields",
      label: "fields",
      path: `/v2/list/${list.id}/field`,
      expect: 200,
    },
    {
      operation: "GetAccessibleCustomFields",
      label: "folderless list fields",
      path: `/v2/list/${loose.id}/field`,
      expect: 200,
    },
    { operation: "GetAccessibleCustomFields", label: "foreign list", path: "/v2/list/1/field", expect: 401 },
    {
      operation: "getFolderAvailableFields",
      label: "folder fields",
      path: `/v2/folder/${folder.id}/field`,
      expect: 200,
    },
    {
      operation: "getSpaceAvailableFields",
      label: "space fields",
      path: `/v2/space/${space.id}/field`,
      expect: 200,
    },
    {
      operation: "GetCustomItems",
      label: "task types",
      path: `/v2/team/${team.id}/custom_item`,
      expect: 200,
    },
    { operation: "GetCustomItems", label: "foreign team", path: "/v2/team/1/custom_item", expect: 401 },
    { operation: "GetSpaceTags", label: "tags", path: `/v2/space/${space.id}/tag`, expect: 200 },
    { operation: "GetSpaceTags", label: "foreign space", path: "/v2/space/1/tag", expect: 401 },
    { operation: "GetWebhooks", label: "webhooks (empty)", path: `/v2/team/${team.id}/webhook`, expect: 200 },
    {
      operation: "Gettimeentrieswithinadaterange",
      label: "time entries",
      path: `/v2/team/${team.id}/time_entries?${range}&assignee=${user.id},${helper.id}`,
      expect: 200,
    },
    {
      operation: "Gettimeentrieswithinadaterange",
      label: "own time entries",
      path: `/v2/team/${team.id}/time_entries?${range}`,
      expect: 200,
    },
    {
      operation: "Gettimeentrieswithinadaterange",
      label: "foreign team",
      path: `/v2/team/1/time_entries?${range}`,
      expect: 401,
    },
    {
      operation: "Gettimeentrieswithinadaterange",
      label: "others' entries as a member",
      path: `/v2/team/${team.id}/time_entries?${range}&assignee=${user.id}`,
      token: helperToken,
      expect: 401,
    },
    {
      operation: "GetGoals",
      label: "goals",
      path: `/v2/team/${team.id}/goal?include_completed=true`,
      expect: 200,
    },
    { operation: "GetGoals", label: "foreign team", path: "/v2/team/1/goal", expect: 401 },
    { operation: "GetGoal", label: "goal", path: `/v2/goal/${goal.id}`, expect: 200 },
    { operation: "GetGoal", label: "private goal", path: `/v2/goal/${hidden.id}`, expect: 403 },
    { operation: "GetGoal", label: "unknown goal", path: "/v2/goal/nothere", expect: 401 },
  ];

  const results: CheckedResponse[] = [];
  async function call(c: Call): Promise<unknown> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const tok = c.token === undefined ? token : c.token;
    if (tok !== null) headers.authorization = tok;
    const res = await fake.fetch(`http://clickup.test/api${c.path}`, {
      method: c.method ?? "GET",
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    const body: unknown = await res.json();
    const checked = checkResponse(spec, c.operation, res.status, body, c.label);
    if (res.status !== c.expect)
      checked.mismatches.unshift({
        path: "",
        keyword: "status",
        message: `expected HTTP ${c.expect}, got ${res.status}`,
        got: String(res.status),
      });
    results.push(checked);
    return body;
  }

  for (const c of calls) await call(c);

  const hookBody = {
    endpoint: "https://flowbot.test/hook",
    events: [
      "taskStatusUpdated",
      "taskUpdated",
      "taskTagUpdated",
      "taskPriorityUpdated",
      "taskAssigneeUpdated",
    ],
    space_id: Number(space.id),
  };
  const created = (await call({
    operation: "CreateWebhook",
    label: "create",
    method: "POST",
    path: `/v2/team/${team.id}/webhook`,
    body: hookBody,
    expect: 200,
  })) as { id: string };
  await call({
    operation: "CreateWebhook",
    label: "duplicate",
    method: "POST",
    path: `/v2/team/${team.id}/webhook`,
    body: hookBody,
    expect: 400,
  });
  fake.setTaskStatus(task.id, "review");
  fake.addTag(task.id, "later");
  fake.setPriority(task.id, "low");
  await fake.webhooks.settled();
  await call({
    operation: "GetWebhooks",
    label: "webhooks",
    path: `/v2/team/${team.id}/webhook`,
    expect: 200,
  });
  fake.webhooks.suspend(created.id);
  await call({
    operation: "UpdateWebhook",
    label: "reactivate",
    method: "PUT",
    path: `/v2/webhook/${created.id}`,
    body: { ...hookBody, status: "active" },
    expect: 200,
  });
  await call({
    operation: "DeleteWebhook",
    label: "delete",
    method: "DELETE",
    path: `/v2/webhook/${created.id}`,
    expect: 200,
  });

  fake.setTimeInStatusEnabled(team.id, false);
  await call({
    operation: "GetTask'sTimeinStatus",
    label: "ClickApp off",
    path: `/v2/task/${task.id}/time_in_status`,
    expect: 400,
  });
  fake.setOption("omitTeamTasksLastPage", true);
  await call({
    operation: "GetFilteredTeamTasks",
    label: "no last_page",
    path: `/v2/team/${team.id}/task`,
    expect: 200,
  });
  fake.rateLimiter.configure({ limit: 0 });
  await call({ operation: "GetAuthorizedUser", label: "rate limited", path: "/v2/user", expect: 429 });
  return results;
}

type Fake = ReturnType<typeof createClickUpFake>;

/**
 * Tags, priority, a task type, a custom field of every documented type (docs/clickup.md §13.2) with a value
 * on the main task, and a dependency, so the task payloads carry every shape these fields take.
 */
function seedTaskFields(
  fake: Fake,
  ids: { team: string; space: string; folder: string; list: string; task: string; sub: string; user: number },
) {
  const bug = fake.addCustomTaskType(ids.team, { name: "Bug", description: "Something broken" });
  fake.addCustomTaskType(ids.team, { name: "Chore" });
  fake.addSpaceTag(ids.space, { name: "unused", fg: "#000000", bg: "#ffffff" });
  const field = (type: Parameters<Fake["defineCustomField"]>[0]["type"], extra = {}) =>
    fake.defineCustomField({ listId: ids.list, type, name: `${type} field`, ...extra });
  const values: Record<string, CustomFieldInput> = {
    [field("drop_down", { options: ["Bug", { name: "Feature", color: "#00ff00" }] }).id]: "Feature",
    [field("labels", { options: ["api", { name: "ui", color: "#0000ff" }] }).id]: ["api", "ui"],
    [field("checkbox").id]: true,
    [field("short_text").id]: "short",
    [field("text").id]: "long text",
    [field("url").id]: "https://example.com",
    [field("email").id]: "someone@example.com",
    [field("phone").id]: "+49 30 1234567",
    [field("number").id]: 42,
    [field("currency").id]: 1250,
    [field("date").id]: Date.UTC(2025, 2, 10),
    [field("users").id]: [ids.user],
    [field("tasks").id]: [{ id: ids.sub, name: "Sub", status: "to do", color: "#d3d3d3" }],
    [field("emoji").id]: 3,
    [field("manual_progress").id]: { percent_completed: 40 },
    [field("location").id]: { location: { lat: 52.52, lng: 13.4 }, formatted_address: "Berlin" },
  };
  // Reachable from the space, and left unset.
  field("automatic_progress");
  fake.defineCustomField({ spaceId: ids.space, type: "drop_down", name: "Space field", options: ["a"] });
  fake.defineCustomField({ folderId: ids.folder, type: "labels", name: "Folder field", options: ["b"] });
  for (const [fieldId, value] of Object.entries(values)) fake.setCustomFieldValue(ids.task, fieldId, value);
  fake.setTags(ids.task, ["blocked", "customer"]);
  fake.setPriority(ids.task, "urgent");
  fake.setTaskType(ids.task, bug.id);
  fake.addDependency(ids.task, ids.sub);
}

/** Groups results per operation, in first-seen order. */
export function summarize(results: CheckedResponse[]) {
  const byOp = new Map<string, CheckedResponse[]>();
  for (const r of results) byOp.set(r.operation, [...(byOp.get(r.operation) ?? []), r]);
  return [...byOp].map(([operation, rs]) => ({
    operation,
    responses: rs.length,
    statuses: [...new Set(rs.map((r) => r.status))],
    mismatches: rs.flatMap((r) => r.mismatches.map((m) => ({ ...m, label: r.label }))),
    tolerated: rs.reduce((n, r) => n + r.tolerated.length, 0),
  }));
}
