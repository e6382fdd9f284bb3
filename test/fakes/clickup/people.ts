import { Hono } from "hono";
import { cuError, teamNotAuthorized } from "./errors.ts";
import { boolParam, type FakeEnv, intParam, type RouteDeps } from "./http.ts";
import { statusJson, userRefJson } from "./serialize.ts";
import { type FakeState, isMember, mustGet } from "./state.ts";

// Time entries and goals (docs/clickup.md §18, §19), kept apart from the task world in state.ts: they only
// point at tasks, lists and users by id.

export interface TimeEntryRec {
  id: string;
  teamId: string;
  userId: number;
  /** null: an entry on no task. */
  taskId: string | null;
  start: number;
  /** null: the timer is still running. */
  end: number | null;
}

export interface KeyResultRec {
  id: string;
  name: string;
  type: "number" | "currency" | "boolean" | "percentage" | "automatic";
  percent: number | null;
  completed: boolean;
  taskIds: string[];
  listIds: string[];
}

export interface GoalRec {
  id: string;
  prettyId: string;
  teamId: string;
  name: string;
  dueDate: number;
  percent: number;
  /** Private goals are listed, but opening one answers `denial` unless the caller is in `memberIds`. */
  private: boolean;
  memberIds: number[];
  denial: 401 | 403;
  keyResults: KeyResultRec[];
  creatorId: number;
  dateCreated: number;
  /** Bumped by updateKeyResult: that a target change moves the goal's date_updated is assumed. */
  dateUpdated: number;
}

export interface PeopleStore {
  timeEntries: TimeEntryRec[];
  goals: Map<string, GoalRec>;
  seq: number;
}

const DEFAULT_RANGE_MS = 30 * 24 * 60 * 60 * 1000;

export function createPeopleStore(): PeopleStore {
  return { timeEntries: [], goals: new Map(), seq: 0 };
}

/** Seeding helpers the fake exposes (`fake.people.addTimeEntry(...)`, `fake.people.addGoal(...)`). */
export function peopleSeeder(store: PeopleStore, state: FakeState, now: () => number) {
  const next = () => (store.seq += 1);
  return {
    /** An entry of `durationMs`, or a running timer (`running: true`) started at `start`. */
    addTimeEntry(input: {
      userId: number;
      taskId?: string | null;
      teamId?: string;
      start: number;
      durationMs?: number;
      running?: boolean;
    }): TimeEntryRec {
      const task = input.taskId ? mustGet(state.tasks, input.taskId, "task") : undefined;
      const teamId = input.teamId ?? task?.teamId;
      if (!teamId) throw new Error("addTimeEntry needs a task or a teamId");
      const rec: TimeEntryRec = {
        id: String(1_963_465_985_517_000_000n + BigInt(next())),
        teamId,
        userId: input.userId,
        taskId: task?.id ?? null,
        start: input.start,
        end: input.running ? null : input.start + (input.durationMs ?? 0),
      };
      store.timeEntries.push(rec);
      return rec;
    },
    /** Stops a running timer at `at` (default now). */
    stopTimer(entryId: string, at = now()) {
      const rec = store.timeEntries.find((e) => e.id === entryId);
      if (!rec) throw new Error(`no time entry ${entryId}`);
      rec.end = at;
    },
    deleteTimeEntry(entryId: string) {
      store.timeEntries = store.timeEntries.filter((e) => e.id !== entryId);
    },
    addGoal(input: {
      teamId: string;
      name: string;
      dueDate: number;
      percent?: number;
      creatorId: number;
      private?: boolean;
      memberIds?: number[];
      denial?: 401 | 403;
      keyResults?: Partial<Omit<KeyResultRec, "id">>[];
    }): GoalRec {
      const n = next();
      const rec: GoalRec = {
        id: `e53a033c-900e-462d-a849-${String(n).padStart(12, "0")}`,
        prettyId: String(n),
        teamId: input.teamId,
        name: input.name,
        dueDate: input.dueDate,
        percent: input.percent ?? 0,
        private: input.private ?? false,
        memberIds: input.memberIds ?? [input.creatorId],
        denial: input.denial ?? 401,
        creatorId: input.creatorId,
        dateCreated: now(),
        dateUpdated: now(),
        keyResults: (input.keyResults ?? []).map((k, i) => ({
          id: `947d46ed-8480-49bc-8c57-${String(n * 100 + i).padStart(12, "0")}`,
          name: k.name ?? `Target ${i + 1}`,
          type: k.type ?? "automatic",
          percent: k.percent ?? null,
          completed: k.completed ?? false,
          taskIds: k.taskIds ?? [],
          listIds: k.listIds ?? [],
        })),
      };
      store.goals.set(rec.id, rec);
      return rec;
    },
    /** Changes a key result's targets or progress and moves the goal's date_updated, as editing it in ClickUp would. */
    updateKeyResult(goalId: string, keyResultId: string, changes: Partial<Omit<KeyResultRec, "id">>) {
      const goal = store.goals.get(goalId);
      const kr = goal?.keyResults.find((k) => k.id === keyResultId);
      if (!goal || !kr) throw new Error(`no key result ${keyResultId} in goal ${goalId}`);
      Object.assign(kr, changes);
      goal.dateUpdated = now();
    },
  };
}

export type PeopleSeeder = ReturnType<typeof peopleSeeder>;

function timeEntryJson(state: FakeState, e: TimeEntryRec, nowMs: number) {
  const user = mustGet(state.users, e.userId, "user");
  const task = e.taskId ? state.tasks.get(e.taskId) : undefined;
  const list = task ? state.lists.get(task.listId) : undefined;
  return {
    id: e.id,
    ...(task
      ? {
          task: {
            id: task.id,
            custom_id: task.customId,
            name: task.name,
            status: statusJson(task.status),
            custom_type: null,
          },
        }
      : {}),
    wid: e.teamId,
    user: { ...userRefJson(user), profilePicture: null },
    billable: false,
    start: String(e.start),
    // A running timer has no end yet and a negative duration (docs/clickup.md §18.3).
    end: e.end === null ? "" : String(e.end),
    duration: e.end === null ? String(-e.start) : String(e.end - e.start),
    description: "",
    tags: [],
    source: "clickup",
    at: String(e.end ?? nowMs),
    // The spec's example sends these ids as numbers, with the names.
    task_location: list
      ? {
          list_id: Number(list.id),
          folder_id: Number(list.folderId ?? 0),
          space_id: Number(list.spaceId),
          list_name: list.name,
          folder_name: (list.folderId ? state.folders.get(list.folderId)?.name : undefined) ?? "hidden",
          space_name: state.spaces.get(list.spaceId)?.name ?? "",
        }
      : {},
    task_tags: [],
    task_url: task ? `https://app.clickup.com/t/${task.id}` : "",
  };
}

function keyResultJson(g: GoalRec, k: KeyResultRec, state: FakeState) {
  const creator = mustGet(state.users, g.creatorId, "user");
  return {
    id: k.id,
    goal_id: g.id,
    name: k.name,
    type: k.type,
    unit: "",
    creator: g.creatorId,
    date_created: String(g.dateCreated),
    goal_pretty_id: g.prettyId,
    percent_completed: k.percent === null ? null : String(k.percent),
    completed: k.completed,
    task_ids: k.taskIds,
    subcategory_ids: k.listIds,
    owners: [{ ...userRefJson(creator), profilePicture: null }],
    last_action: {
      id: `${k.id.slice(0, -4)}0000`,
      key_result_id: k.id,
      userid: g.creatorId,
      date_modified: String(g.dateCreated),
      steps_taken: null,
      note: "Created Key Result",
      steps_before: null,
      steps_current: null,
    },
  };
}

function goalSummaryJson(g: GoalRec) {
  return {
    id: g.id,
    pretty_id: g.prettyId,
    name: g.name,
    team_id: g.teamId,
    creator: g.creatorId,
    owner: null,
    color: "#32a852",
    date_created: String(g.dateCreated),
    start_date: null,
    due_date: String(g.dueDate),
    description: "",
    private: g.private,
    archived: false,
    multiple_owners: false,
    editor_token: `goal:${g.id}`,
    date_updated: String(g.dateUpdated),
    last_update: String(g.dateUpdated),
    folder_id: null,
    pinned: false,
    owners: [],
    key_result_count: g.keyResults.length,
    members: [],
    group_members: [],
    percent_completed: g.percent,
  };
}

/** GET time entries by date range and the goals endpoints, with ClickUp's error answers. */
export function peopleRoutes({ state, now }: RouteDeps, store: PeopleStore) {
  const app = new Hono<FakeEnv>();
  const roleOf = (teamId: string, userId: number) =>
    state.workspaces.get(teamId)?.members.find((m) => m.userId === userId)?.role;

  app.get("/v2/team/:teamId/time_entries", (c) => {
    const teamId = c.req.param("teamId");
    if (!isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    const end = intParam(c, "end_date") ?? now();
    const start = intParam(c, "start_date") ?? end - DEFAULT_RANGE_MS;
    const assigneeParam = c.req.query("assignee");
    let users: Set<number>;
    if (assigneeParam) {
      users = new Set(assigneeParam.split(",").map(Number));
      const others = [...users].some((u) => u !== c.var.user.id);
      const role = roleOf(teamId, c.var.user.id);
      // Only owners and admins may read other users' entries (docs/clickup.md §18.6; the answer is assumed).
      if (others && role !== 1 && role !== 2)
        return cuError(
          c,
          401,
          "Only workspace owners and admins can view other users' time entries",
          "OAUTH_023",
        );
    } else {
      users = new Set([c.var.user.id]);
    }
    const entries = store.timeEntries
      .filter((e) => e.teamId === teamId && users.has(e.userId) && e.start >= start && e.start <= end)
      .sort((a, b) => a.start - b.start);
    return c.json({ data: entries.map((e) => timeEntryJson(state, e, now())) });
  });

  app.get("/v2/team/:teamId/goal", (c) => {
    const teamId = c.req.param("teamId");
    if (!isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    const withCompleted = boolParam(c, "include_completed");
    const goals = [...store.goals.values()].filter(
      (g) => g.teamId === teamId && (withCompleted || g.percent < 100),
    );
    return c.json({ goals: goals.map(goalSummaryJson), folders: [] });
  });

  app.get("/v2/goal/:goalId", (c) => {
    const goal = store.goals.get(c.req.param("goalId"));
    // Unknown ids answer like unreachable ones (docs/clickup.md §2.3).
    if (!goal || !isMember(state, goal.teamId, c.var.user.id)) return teamNotAuthorized(c);
    if (goal.private && !goal.memberIds.includes(c.var.user.id)) {
      return goal.denial === 403
        ? cuError(c, 403, "You do not have permission to view this goal", "ACCESS_083")
        : teamNotAuthorized(c);
    }
    return c.json({
      goal: {
        ...goalSummaryJson(goal),
        members: [],
        owners: [],
        key_results: goal.keyResults.map((k) => keyResultJson(goal, k, state)),
        history: [],
        pretty_url: `https://app.clickup.com/${goal.teamId}/goals/${goal.prettyId}`,
      },
    });
  });

  return app;
}
