import { z } from "zod";
import { type Clock, systemClock } from "./clock.ts";
import { defaultFetch, type FetchLike } from "./default-transport.ts";
import { goalResponseSchema, goalsResponseSchema, timeEntriesResponseSchema } from "./people-schemas.ts";
import { type RateLimitRegistry, sharedRateLimits } from "./rate-limit-registry.ts";
import { execute, type RequestSpec, type RetryOptions } from "./request-executor.ts";
import {
  type ClickUpComment,
  type ClickUpTask,
  commentSchema,
  customItemsResponseSchema,
  fieldsResponseSchema,
  folderSchema,
  listSchema,
  spaceSchema,
  taskSchema,
  teamSchema,
  timeInStatusSchema,
  userSchema,
  webhookSchema,
} from "./schemas.ts";
import { type TaskQuery, taskQueryParams } from "./task-query.ts";
import type { RateLimitSnapshot } from "./token-rate-limiter.ts";

export interface ClickUpClientOptions {
  /** CLICKUP_API_URL, e.g. https://api.clickup.com/api (paths start with /v2). */
  baseUrl: string;
  /** Personal `pk_…` token, sent raw in Authorization. */
  token: string;
  /** Default: undici fetch over a shared keep-alive Agent. */
  fetch?: FetchLike;
  /** Default: the process-wide registry, so all clients of one token share its budget. */
  rateLimits?: RateLimitRegistry;
  /** Used for backoff; pacing uses the registry's clock. */
  clock?: Clock;
  random?: () => number;
  retry?: Partial<RetryOptions>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface PagesOptions extends CallOptions {
  /**
   * Pages requested ahead of the one being read (default 1). Above 1, a long stream (two full pages
   * seen) keeps that many in flight, so request latency does not leave the rate budget idle; a request
   * for a page past the end that has not gone out yet is withdrawn, one that has is wasted (at most
   * `ahead - 1` per stream). Short streams go one page at a time and waste nothing.
   */
  ahead?: number;
}

export const TASK_PAGE_SIZE = 100;

/** A space, folder or list, as a binding names its container. */
export interface ContainerRef {
  type: "space" | "folder" | "list";
  id: string;
}
const BULK_TIME_IN_STATUS_MAX = 100;

export interface WebhookInput {
  endpoint: string;
  events: string[] | "*";
  space_id?: string;
  folder_id?: string;
  list_id?: string;
  task_id?: string;
}

export interface WebhookUpdate {
  endpoint?: string;
  events?: string[] | "*";
  status?: "active";
}

const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 65_000,
  timeoutMs: 30_000,
};

const tasksPage = z.object({ tasks: z.array(taskSchema), last_page: z.boolean().optional() });
const commentsPage = z.object({ comments: z.array(commentSchema) });
/** A task's comments come 25 a page (docs/clickup.md §16.1). */
export const COMMENT_PAGE_SIZE = 25;
const webhookEnvelope = z.object({ id: z.string(), webhook: webhookSchema });

/** Typed ClickUp API v2 client for one token. */
export function createClickUpClient(options: ClickUpClientOptions) {
  const deps = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    token: options.token,
    fetch: options.fetch ?? defaultFetch,
    limiter: (options.rateLimits ?? sharedRateLimits).forToken(options.token),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
  const call = <T extends z.ZodType>(spec: RequestSpec<T>) => execute(deps, spec);
  const archivedQuery = (archived = false) => new URLSearchParams({ archived: String(archived) });
  const enc = encodeURIComponent;

  async function* pages(path: string, query: TaskQuery, o: PagesOptions = {}): AsyncGenerator<ClickUpTask[]> {
    const { signal } = o;
    const ahead = Math.max(1, Math.floor(o.ahead ?? 1));
    const requested: { withdraw: AbortController; response: Promise<z.output<typeof tasksPage>> }[] = [];
    let nextPage = query.startPage ?? 0;
    let fullPages = 0;
    const request = () => {
      const withdraw = new AbortController();
      const response = call({
        method: "GET",
        path,
        query: taskQueryParams(query, nextPage),
        schema: tasksPage,
        signal: signal ? AbortSignal.any([signal, withdraw.signal]) : withdraw.signal,
      });
      response.catch(() => {}); // read in order below; one withdrawn past the end is never read
      requested.push({ withdraw, response });
      nextPage += 1;
    };
    try {
      request();
      for (;;) {
        const res = await requested.shift()!.response;
        // Team tasks may omit last_page (docs/clickup.md §4.2), so a short page also ends the stream.
        if (res.last_page === true || res.tasks.length < TASK_PAGE_SIZE) {
          if (res.tasks.length > 0) yield res.tasks;
          return;
        }
        fullPages += 1;
        // Pages beyond the next are asked before the caller works on this one, so that work overlaps
        // them; the next one when the caller asks for it, so a stream one page deep never asks ahead.
        const depth = fullPages >= 2 ? ahead : 1;
        while (requested.length < depth - 1) request();
        yield res.tasks;
        while (requested.length < depth) request();
      }
    } finally {
      for (const r of requested) r.withdraw.abort();
    }
  }

  return {
    rateLimit: (): RateLimitSnapshot => deps.limiter.snapshot(),

    async getUser(o: CallOptions = {}) {
      const res = await call({
        method: "GET",
        path: "/v2/user",
        schema: z.object({ user: userSchema }),
        ...o,
      });
      return res.user;
    },
    async getTeams(o: CallOptions = {}) {
      const res = await call({
        method: "GET",
        path: "/v2/team",
        schema: z.object({ teams: z.array(teamSchema) }),
        ...o,
      });
      return res.teams;
    },
    async getSpaces(teamId: string, o: CallOptions & { archived?: boolean } = {}) {
      const schema = z.object({ spaces: z.array(spaceSchema) });
      const path = `/v2/team/${enc(teamId)}/space`;
      return (await call({ method: "GET", path, query: archivedQuery(o.archived), schema, signal: o.signal }))
        .spaces;
    },
    getSpace: (spaceId: string, o: CallOptions = {}) =>
      call({ method: "GET", path: `/v2/space/${enc(spaceId)}`, schema: spaceSchema, ...o }),
    async getFolders(spaceId: string, o: CallOptions & { archived?: boolean } = {}) {
      const schema = z.object({ folders: z.array(folderSchema) });
      const path = `/v2/space/${enc(spaceId)}/folder`;
      return (await call({ method: "GET", path, query: archivedQuery(o.archived), schema, signal: o.signal }))
        .folders;
    },
    getFolder: (folderId: string, o: CallOptions = {}) =>
      call({ method: "GET", path: `/v2/folder/${enc(folderId)}`, schema: folderSchema, ...o }),
    async getFolderLists(folderId: string, o: CallOptions & { archived?: boolean } = {}) {
      const schema = z.object({ lists: z.array(listSchema) });
      const path = `/v2/folder/${enc(folderId)}/list`;
      return (await call({ method: "GET", path, query: archivedQuery(o.archived), schema, signal: o.signal }))
        .lists;
    },
    async getFolderlessLists(spaceId: string, o: CallOptions & { archived?: boolean } = {}) {
      const schema = z.object({ lists: z.array(listSchema) });
      const path = `/v2/space/${enc(spaceId)}/list`;
      return (await call({ method: "GET", path, query: archivedQuery(o.archived), schema, signal: o.signal }))
        .lists;
    },
    getList: (listId: string, o: CallOptions = {}) =>
      call({ method: "GET", path: `/v2/list/${enc(listId)}`, schema: listSchema, ...o }),

    /** Yields one page (≤ 100 tasks) at a time, so callers can store as they go. */
    listTasksPages: (listId: string, query: TaskQuery = {}, o: CallOptions = {}) =>
      pages(`/v2/list/${enc(listId)}/task`, query, { signal: o.signal }),
    teamTasksPages: (teamId: string, query: TaskQuery = {}, o: PagesOptions = {}) =>
      pages(`/v2/team/${enc(teamId)}/task`, query, o),
    getTask: (taskId: string, o: CallOptions = {}) =>
      call({ method: "GET", path: `/v2/task/${enc(taskId)}`, schema: taskSchema, ...o }),

    /**
     * The custom fields ClickUp lists for a container (docs/clickup.md §13.1): for a list every field it
     * can use (its own, its folder's, its space's and the workspace's); for a folder or a space only the
     * fields created on it (docs/clickup.md §13.1).
     */
    async getContainerFields(container: ContainerRef, o: CallOptions = {}) {
      const path = `/v2/${container.type}/${enc(container.id)}/field`;
      return (await call({ method: "GET", path, schema: fieldsResponseSchema, ...o })).fields;
    },
    /** The workspace's custom task types (docs/clickup.md §12.2); the built-in Task and Milestone are not listed. */
    async getCustomTaskTypes(teamId: string, o: CallOptions = {}) {
      const path = `/v2/team/${enc(teamId)}/custom_item`;
      return (await call({ method: "GET", path, schema: customItemsResponseSchema, ...o })).custom_items;
    },

    getTimeInStatus: (taskId: string, o: CallOptions = {}) =>
      call({
        method: "GET",
        path: `/v2/task/${enc(taskId)}/time_in_status`,
        schema: timeInStatusSchema,
        timeInStatus: true,
        ...o,
      }),
    /** Time in status keyed by task id; tasks ClickUp leaves out are simply absent. */
    async bulkTimeInStatus(taskIds: string[], o: CallOptions = {}) {
      const result: Record<string, z.output<typeof timeInStatusSchema>> = {};
      const unique = [...new Set(taskIds)];
      for (let i = 0; i < unique.length; i += BULK_TIME_IN_STATUS_MAX) {
        const query = new URLSearchParams();
        for (const taskId of unique.slice(i, i + BULK_TIME_IN_STATUS_MAX)) query.append("task_ids", taskId);
        const chunk = await call({
          method: "GET",
          path: "/v2/task/bulk_time_in_status/task_ids",
          query,
          schema: z.record(z.string(), timeInStatusSchema),
          timeInStatus: true,
          ...o,
        });
        Object.assign(result, chunk);
      }
      return result;
    },

    /**
     * Time entries whose start is in [startMs, endMs] (docs/clickup.md §18); `assignees` asks for those users'
     * entries (owners and admins only), otherwise ClickUp answers the token owner's.
     */
    async getTimeEntries(
      teamId: string,
      range: { startMs: number; endMs: number; assignees?: readonly number[] },
      o: CallOptions = {},
    ) {
      const query = new URLSearchParams({ start_date: String(range.startMs), end_date: String(range.endMs) });
      if (range.assignees?.length) query.set("assignee", range.assignees.join(","));
      const path = `/v2/team/${enc(teamId)}/time_entries`;
      return (await call({ method: "GET", path, query, schema: timeEntriesResponseSchema, ...o })).data;
    },
    /** The workspace's goals, those in goal folders included (docs/clickup.md §19.1). */
    async getGoals(teamId: string, o: CallOptions = {}) {
      const query = new URLSearchParams({ include_completed: "true" });
      const path = `/v2/team/${enc(teamId)}/goal`;
      const res = await call({ method: "GET", path, query, schema: goalsResponseSchema, ...o });
      return [...res.goals, ...res.folders.flatMap((f) => f.goals)];
    },
    /** One goal with its key results (docs/clickup.md §19.2). */
    async getGoal(goalId: string, o: CallOptions = {}) {
      const path = `/v2/goal/${enc(goalId)}`;
      return (await call({ method: "GET", path, schema: goalResponseSchema, ...o })).goal;
    },
    /**
     * One page (≤ 25) of a task's top-level comments, newest first: the newest without a cursor, else those
     * older than the cursor comment (`start` + `start_id`, docs/clickup.md §16.1).
     */
    async getTaskComments(
      taskId: string,
      o: CallOptions & { cursor?: { start: number; startId: string } } = {},
    ): Promise<ClickUpComment[]> {
      const query = new URLSearchParams(
        o.cursor ? { start: String(o.cursor.start), start_id: o.cursor.startId } : {},
      );
      const path = `/v2/task/${enc(taskId)}/comment`;
      return (await call({ method: "GET", path, query, schema: commentsPage, signal: o.signal })).comments;
    },
    /** A comment's threaded replies, the parent left out (docs/clickup.md §16.3). */
    async getCommentReplies(commentId: string, o: CallOptions = {}) {
      const path = `/v2/comment/${enc(commentId)}/reply`;
      return (await call({ method: "GET", path, schema: commentsPage, ...o })).comments;
    },

    createWebhook: (teamId: string, body: WebhookInput, o: CallOptions = {}) =>
      call({ method: "POST", path: `/v2/team/${enc(teamId)}/webhook`, body, schema: webhookEnvelope, ...o }),
    async listWebhooks(teamId: string, o: CallOptions = {}) {
      const schema = z.object({ webhooks: z.array(webhookSchema) });
      return (await call({ method: "GET", path: `/v2/team/${enc(teamId)}/webhook`, schema, ...o })).webhooks;
    },
    updateWebhook: (webhookId: string, body: WebhookUpdate, o: CallOptions = {}) =>
      call({ method: "PUT", path: `/v2/webhook/${enc(webhookId)}`, body, schema: webhookEnvelope, ...o }),
    async deleteWebhook(webhookId: string, o: CallOptions = {}) {
      await call({ method: "DELETE", path: `/v2/webhook/${enc(webhookId)}`, schema: z.unknown(), ...o });
    },
  };
}

export type ClickUpClient = ReturnType<typeof createClickUpClient>;
