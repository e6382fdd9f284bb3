import type { Mismatch } from "./json-schema.ts";

export interface Allowance {
  /** operationId, or "*" for a drift shared by every operation. */
  operation: string;
  /** JSON pointer into the body; "*" matches one segment (an array index or a map key). */
  path: string;
  keyword: string;
  /** For `type` mismatches: the JSON type the real API sends. Anything else still fails. */
  got?: string[];
  reason: string;
}

// Every drift between ClickUp's published schema and what the real API sends (and so what the fake
// sends) is listed here with its evidence. A mismatch is tolerated only when operation, path, keyword
// and the actual JSON type all match an entry; anything else fails the check.
const NULL = ["null"];
const pictureReason =
  "profilePicture is null for users without a picture (real /user and /team responses, docs/clickup.md §1.6)";
const unsetDate =
  "unset dates are null in real tasks (docs/clickup.md §4.5); the spec types them as plain strings";

export const TOLERATED_DRIFTS: readonly Allowance[] = [
  // Users and workspaces
  {
    operation: "GetAuthorizedUser",
    path: "/user/profilePicture",
    keyword: "type",
    got: NULL,
    reason: pictureReason,
  },
  {
    operation: "GetAuthorizedUser",
    path: "/user/week_start_day",
    keyword: "type",
    got: NULL,
    reason: "week_start_day is null when the user never set it (docs/clickup.md §1.6)",
  },
  {
    operation: "GetAuthorizedUser",
    path: "/user/timezeone",
    keyword: "required",
    got: ["missing"],
    reason: "the spec misspells timezone as timezeone; real responses use timezone (docs/clickup.md §1.6)",
  },
  {
    operation: "GetAuthorizedTeams",
    path: "/teams/*/avatar",
    keyword: "type",
    got: NULL,
    reason: "workspaces without an avatar send null (docs/clickup.md §1.6)",
  },
  {
    operation: "GetAuthorizedTeams",
    path: "/teams/*/members/*/user/profilePicture",
    keyword: "type",
    got: NULL,
    reason: pictureReason,
  },

  // Hierarchy
  {
    operation: "GetSpaces",
    path: "/spaces/*/color",
    keyword: "type",
    got: NULL,
    reason: "color is string|null (docs/clickup.md §1.6)",
  },
  {
    operation: "GetSpaces",
    path: "/spaces/*/avatar",
    keyword: "type",
    got: NULL,
    reason: "avatar is string|null (docs/clickup.md §1.6)",
  },
  {
    operation: "GetFolders",
    path: "/folders",
    keyword: "type",
    got: ["array"],
    reason:
      "the schema types `folders` as one Folder object; the response (and the spec's own example) is an array",
  },
  {
    operation: "GetFolders",
    path: "/folders/*/lists/*",
    keyword: "type",
    got: ["object"],
    reason: "as for GetFolder: folder lists are full List objects, not strings (docs/clickup.md §1.6)",
  },
  {
    operation: "GetFolder",
    path: "/lists/*",
    keyword: "type",
    got: ["object"],
    reason:
      "the schema types folder lists as strings; real folders embed full List objects (docs/clickup.md §1.6)",
  },
  ...(["GetLists", "GetFolderlessLists"] as const).flatMap((operation): Allowance[] => [
    {
      operation,
      path: "/lists/*/status",
      keyword: "oneOf",
      got: NULL,
      reason:
        "the spec's oneOf contains an empty schema, so no value can match exactly one branch; lists without a colour send null",
    },
    {
      operation,
      path: "/lists/*/priority",
      keyword: "oneOf",
      got: NULL,
      reason: "same always-ambiguous oneOf as status; lists without a priority send null",
    },
    {
      operation,
      path: "/lists/*/task_count",
      keyword: "type",
      got: ["integer"],
      reason: "task_count is a number in real list responses, a string in the spec (docs/clickup.md §1.5)",
    },
  ]),
  {
    operation: "GetList",
    path: "/status",
    keyword: "type",
    got: NULL,
    reason: "lists without a colour label send null (docs/clickup.md §1.6)",
  },
  {
    operation: "GetList",
    path: "/priority",
    keyword: "type",
    got: NULL,
    reason: "lists without a priority send null (docs/clickup.md §1.6)",
  },
  { operation: "GetList", path: "/due_date", keyword: "type", got: NULL, reason: unsetDate },

  // Tasks from GET /list/{id}/task and GET /task/{id}: the schema's user arrays are typed as strings.
  ...(
    [
      ["GetTasks", "/tasks/*"],
      ["GetTask", ""],
    ] as const
  ).flatMap(([operation, base]): Allowance[] => [
    { operation, path: `${base}/creator/profilePicture`, keyword: "type", got: NULL, reason: pictureReason },
    {
      operation,
      path: `${base}/assignees/*`,
      keyword: "type",
      got: ["object"],
      reason: "assignees are user objects (docs/clickup.md §4.5; the spec's own team-task schema agrees)",
    },
    {
      operation,
      path: `${base}/watchers/*`,
      keyword: "type",
      got: ["object"],
      reason: "watchers are user objects (docs/clickup.md §1.6)",
    },
    {
      operation,
      path: `${base}/time_estimate`,
      keyword: "type",
      got: ["integer"],
      reason: "time_estimate is a number of ms in practice, string|null in the spec (docs/clickup.md §1.5)",
    },
    {
      operation,
      path: `${base}/points`,
      keyword: "type",
      got: NULL,
      reason: "points is number|null (docs/clickup.md §1.6)",
    },
    {
      operation,
      path: `${base}/tags/*`,
      keyword: "type",
      got: ["object"],
      reason:
        "task tags are {name, tag_fg, tag_bg, creator} objects (docs/clickup.md §10.1); the spec's own space-tag and team-task schemas agree",
    },
    {
      operation,
      path: `${base}/custom_fields/*/value`,
      keyword: "oneOf",
      got: ["integer", "number", "string", "array"],
      reason:
        "every branch of the schema's value is an object, but a value's JSON type follows its field's type: a drop_down's orderindex, a labels field's ids, text as a string (docs/clickup.md §13.4)",
    },
  ]),
  {
    operation: "GetTasks",
    path: "/tasks/*/custom_fields",
    keyword: "type",
    got: ["array"],
    reason: "the schema's $ref points at one custom-field item instead of the array",
  },

  // Tasks from GET /team/{id}/task: a stricter schema that forgets nulls.
  ...(["creator/profilePicture", "assignees/*/profilePicture", "watchers/*/profilePicture"] as const).map(
    (field): Allowance => ({
      operation: "GetFilteredTeamTasks",
      path: `/tasks/*/${field}`,
      keyword: "type",
      got: NULL,
      reason: pictureReason,
    }),
  ),
  ...(["date_closed", "due_date", "start_date"] as const).map(
    (field): Allowance => ({
      operation: "GetFilteredTeamTasks",
      path: `/tasks/*/${field}`,
      keyword: "type",
      got: NULL,
      reason: unsetDate,
    }),
  ),
  {
    operation: "GetFilteredTeamTasks",
    path: "/tasks/*/parent",
    keyword: "type",
    got: NULL,
    reason: "parent is null for top-level tasks (docs/clickup.md §1.6)",
  },
  {
    operation: "GetFilteredTeamTasks",
    path: "/tasks/*/priority",
    keyword: "type",
    got: ["null", "object"],
    reason:
      "priority is a {id, priority, color, orderindex} object or null (docs/clickup.md §1.6, §11.1); this schema types it as an integer",
  },
  {
    operation: "GetFilteredTeamTasks",
    path: "/tasks/*/dependencies/*",
    keyword: "type",
    got: ["object"],
    reason:
      "dependencies are {task_id, depends_on, type, …} records (docs/clickup.md §14.1), typed here as strings",
  },
  {
    operation: "GetFilteredTeamTasks",
    path: "/tasks/*/points",
    keyword: "type",
    got: NULL,
    reason: "points is number|null (docs/clickup.md §1.6)",
  },
  {
    operation: "GetFilteredTeamTasks",
    path: "/tasks/*/time_estimate",
    keyword: "type",
    got: NULL,
    reason: "time_estimate is null without an estimate (docs/clickup.md §1.6)",
  },

  // Time in status
  ...(["27075wz", "20bbn28"] as const).map(
    (id): Allowance => ({
      operation: "GetBulkTasks'TimeinStatus",
      path: `/${id}`,
      keyword: "required",
      got: ["missing"],
      reason:
        "the bulk schema requires the two task ids of its example; entries are keyed by the ids asked for (docs/clickup.md §6.2)",
    }),
  ),

  // Comments; threaded replies share the comment schema (docs/clickup.md §16.3)
  ...["GetTaskComments", "GetThreadedComments"].flatMap((operation): Allowance[] => [
    {
      operation,
      path: "/comments/*/user/profilePicture",
      keyword: "type",
      got: NULL,
      reason: pictureReason,
    },
    {
      operation,
      path: "/comments/*/assignee",
      keyword: "type",
      got: NULL,
      reason: "unassigned comments send null (docs/clickup.md §1.6)",
    },
    {
      operation,
      path: "/comments/*/assigned_by",
      keyword: "type",
      got: NULL,
      reason: "unassigned comments send null (docs/clickup.md §1.6)",
    },
  ]),

  // Custom fields (the list, folder and space fields endpoints share the definition schema)
  ...["GetAccessibleCustomFields", "getFolderAvailableFields", "getSpaceAvailableFields"].map(
    (operation): Allowance => ({
      operation,
      path: "/fields/*/type_config/default",
      keyword: "oneOf",
      got: ["integer", "null"],
      reason:
        "the spec's oneOf for a drop_down's default contains an empty schema, so no value can match exactly one branch; real drop_downs send default 0",
    }),
  ),

  // Time entries and goals (docs/clickup.md §18, §19)
  {
    operation: "Gettimeentrieswithinadaterange",
    path: "/data/*/user/profilePicture",
    keyword: "type",
    got: NULL,
    reason: pictureReason,
  },
  {
    operation: "GetGoal",
    path: "/goal/key_results/*",
    keyword: "type",
    got: ["object"],
    reason:
      "the spec types a goal's key_results as strings; goals embed key-result objects, the shape the spec gives CreateKeyResult's answer (docs/clickup.md §19.2)",
  },

  // Documented drifts this schema does not flag, because its objects allow extra properties and type
  // these fields loosely: status.id present or absent, status type "done", `archived` and other extra
  // task fields, `last_page` on team tasks, ms dates as strings (docs/clickup.md §1.5, §3.5, §4.2, §8.1).
  // If a spec version closes its objects they will surface as "additionalProperties" mismatches and
  // belong here, each with its evidence.
];

function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split("/");
  const a = path.split("/");
  return p.length === a.length && p.every((seg, i) => seg === "*" || seg === a[i]);
}

export function findAllowance(
  list: readonly Allowance[],
  operation: string,
  m: Mismatch,
): Allowance | undefined {
  return list.find(
    (a) =>
      (a.operation === "*" || a.operation === operation) &&
      a.keyword === m.keyword &&
      pathMatches(a.path, m.path) &&
      (a.got === undefined || a.got.includes(m.got)),
  );
}
