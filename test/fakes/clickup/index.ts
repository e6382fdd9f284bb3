// In-repo fake of the ClickUp API v2 (test infrastructure only).
//
//   const fake = createClickUpFake({ now: clock.now, rateLimit: { limit: 100 } });
//   const team = fake.addWorkspace();
//   fake.addUser({ token: "pk_x", teamIds: [team.id] });
//   const client = createClient({ baseUrl: "http://clickup.test/api", fetch: fake.fetch }); // in-process
//   const server = await fake.listen(); // or real HTTP: server.url = http://127.0.0.1:<port>/api
//
// Webhook deliveries go through `webhooks.deliver`: pass `(url, init) => ourApp.request(url, init)` to
// route them in-process into our Hono app, then `await fake.webhooks.settled()` (or hold + flush).

export type { ClickUpFake, ClickUpFakeOptions, FakeFetch, ListeningFake } from "./create-clickup-fake.ts";
export { createClickUpFake } from "./create-clickup-fake.ts";
export type { CustomFieldInput } from "./custom-fields.ts";
export type { FaultRequest, Faults, InjectedFailure } from "./faults.ts";
export type { PriorityName } from "./priority.ts";
export type { RateLimitDecision, RateLimiter, RateLimitOptions, RateLimitStats } from "./rate-limiter.ts";
export { createRateLimiter } from "./rate-limiter.ts";
export type { RecordedRequest, RequestLog } from "./request-log.ts";
export { COMMENTS_PAGE_SIZE } from "./routes-comments.ts";
export { BULK_TIME_IN_STATUS_MAX } from "./routes-time-in-status.ts";
export { WEBHOOK_EVENTS } from "./routes-webhooks.ts";
export type { ActionOptions, AddTaskInput, Seeder, UpdateTaskInput } from "./seed.ts";
export { DEFAULT_STATUSES } from "./seed.ts";
export type {
  DefineCustomFieldInput,
  FieldLocationInput,
  InitialTaskFields,
  TagInput,
} from "./seed-task-fields.ts";
export { sign } from "./sign.ts";
export type { FakeState } from "./state.ts";
export { PAGE_SIZE } from "./task-query.ts";
export { timeInStatusJson } from "./time-in-status.ts";
export type * from "./types.ts";
export type {
  Deliver,
  Delivery,
  DeliveryInit,
  DeliveryOutcome,
  DeliveryRecord,
  Reorder,
  WebhookEmitter,
  WebhookEmitterOptions,
} from "./webhook-emitter.ts";
export { createWebhookEmitter } from "./webhook-emitter.ts";
export type { EventScope, HistoryItem, PendingEvent } from "./webhook-payloads.ts";
