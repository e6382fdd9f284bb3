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
}

export interface CommentRec {
  id: string;
  taskId: string;
  userId: number;
  text: string;
  date: number;
  resolved: boolean;
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
