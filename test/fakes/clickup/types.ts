// Internal records of the fake. They hold what the fake needs to answer requests and compose
// webhooks; the JSON shapes sent on the wire are built in serialize.ts.

export type StatusType = "open" | "custom" | "done" | "closed";

export interface StatusDef {
  id: string;
  status: string;
  color: string;
  orderindex: number;
  type: StatusType;
}

export interface StatusInput {
  status: string;
  type: StatusType;
  color?: string;
}

export interface UserRec {
  id: number;
  username: string;
  email: string;
  color: string;
  initials: string;
  timezone: string;
  weekStartDay: number | null;
}

export interface MemberRec {
  userId: number;
  role: 1 | 2 | 3 | 4;
  dateJoined: number;
}

export interface WorkspaceRec {
  id: string;
  name: string;
  color: string;
  members: MemberRec[];
  timeInStatusEnabled: boolean;
}

export interface SpaceRec {
  id: string;
  teamId: string;
  name: string;
  private: boolean;
  archived: boolean;
  statuses: StatusDef[];
  /** Folderless lists live in this hidden folder, as the webhook payloads reveal. */
  hiddenFolderId: string;
  orderindex: number;
}

export interface FolderRec {
  id: string;
  spaceId: string;
  name: string;
  archived: boolean;
  hidden: boolean;
  orderindex: number;
  /** Present only when the folder overrides the space workflow. */
  statuses: StatusDef[] | null;
}

export interface ListRec {
  id: string;
  spaceId: string;
  /** null = folderless list (reported with the space's hidden folder). */
  folderId: string | null;
  name: string;
  archived: boolean;
  orderindex: number;
  content: string;
  statuses: StatusDef[] | null;
}

/** One visit of a task to a status; the time-in-status aggregates are derived from these. */
export interface StatusVisit {
  status: StatusDef;
  at: number;
}

export interface TaskRec {
  id: string;
  customId: string | null;
  teamId: string;
  listId: string;
  /** Extra lists the task was added to (Tasks in Multiple Lists). */
  locations: string[];
  name: string;
  description: string;
  status: StatusDef;
  parent: string | null;
  creatorId: number;
  assignees: number[];
  archived: boolean;
  dateCreated: number;
  dateUpdated: number;
  dateClosed: number | null;
  dateDone: number | null;
  dueDate: number | null;
  startDate: number | null;
  timeEstimate: number | null;
  points: number | null;
  visits: StatusVisit[];
  orderindex: number;
  /** Copies of the space tags put on the task, in the order they were added. */
  tags: TagRec[];
  /** 1 urgent … 4 low, or null for no priority (docs/clickup.md §11). */
  priority: PriorityId | null;
  /** Task type: null = the default "Task", 1 = milestone, else a workspace custom type (§12). */
  customItemId: number | null;
  /** Custom field values by field id, in the form kept here (see custom-fields.ts), set ones only. */
  customValues: Map<string, CustomFieldValue>;
}

export interface TagRec {
  name: string;
  fg: string;
  bg: string;
  /** User id of whoever created the tag in the space. */
  creatorId: number;
}

export type PriorityId = 1 | 2 | 3 | 4;

/** A workspace's custom task type, as GET /team/{id}/custom_item lists it. */
export interface CustomItemRec {
  id: number;
  teamId: string;
  name: string;
  namePlural: string;
  description: string;
}

/** The field types ClickUp documents values for (docs/clickup.md §13.2). */
export type CustomFieldType =
  | "drop_down"
  | "labels"
  | "checkbox"
  | "short_text"
  | "text"
  | "url"
  | "email"
  | "phone"
  | "number"
  | "currency"
  | "date"
  | "users"
  | "tasks"
  | "emoji"
  | "manual_progress"
  | "automatic_progress"
  | "location";

/** One choice of a drop_down (`name`, with an `orderindex`) or labels (`label`) field. */
export interface FieldOptionRec {
  id: string;
  name: string;
  color: string | null;
  orderindex: number;
}

/** Where a field is defined; it is reachable from every list below that location. */
export type FieldLocation =
  | { kind: "list"; id: string }
  | { kind: "folder"; id: string }
  | { kind: "space"; id: string }
  | { kind: "team"; id: string };

export interface CustomFieldRec {
  id: string;
  teamId: string;
  location: FieldLocation;
  name: string;
  type: CustomFieldType;
  /** Options of drop_down and labels fields; empty for the others. */
  options: FieldOptionRec[];
  /** Extra type_config keys (precision, currency_type, count, …), sent as given. */
  typeConfig: Record<string, unknown>;
  dateCreated: number;
  creatorId: number;
  hideFromGuests: boolean;
  required: boolean;
}

/**
 * A value as the fake keeps it: an option id for drop_down, option ids for labels, a boolean for
 * checkbox, user ids for users; any other type keeps the JSON value it is sent as.
 */
export type CustomFieldValue =
  | { kind: "option"; optionId: string }
  | { kind: "labels"; optionIds: string[] }
  | { kind: "checkbox"; checked: boolean }
  | { kind: "users"; userIds: number[] }
  | { kind: "raw"; value: unknown };

/** `taskId` waits on `dependsOn` (ClickUp's "waiting on"); the other side is "blocking". */
export interface DependencyRec {
  taskId: string;
  dependsOn: string;
  teamId: string;
  userId: number;
  dateCreated: number;
}

export interface CommentRec {
  id: string;
  taskId: string;
  userId: number;
  text: string;
  date: number;
  resolved: boolean;
  /** Set on a threaded reply: the comment it answers (docs/clickup.md §16.3). */
  parentId?: string;
}

export type HealthStatus = "active" | "failing" | "suspended";

export interface WebhookRec {
  id: string;
  teamId: string;
  userId: number;
  clientId: string;
  endpoint: string;
  events: string[];
  spaceId: string | null;
  folderId: string | null;
  listId: string | null;
  taskId: string | null;
  secret: string;
  health: { status: HealthStatus; fail_count: number };
}
