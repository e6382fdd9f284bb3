export type { ClickUpErrorCode, ClickUpErrorDetails } from "./clickup-error.ts";
export { ClickUpError, isClickUpError } from "./clickup-error.ts";
export type { Clock } from "./clock.ts";
export { systemClock } from "./clock.ts";
export type {
  CallOptions,
  ClickUpClient,
  ClickUpClientOptions,
  WebhookInput,
  WebhookUpdate,
} from "./create-clickup-client.ts";
export { BULK_TIME_IN_STATUS_MAX, createClickUpClient, TASK_PAGE_SIZE } from "./create-clickup-client.ts";
export type { FetchLike } from "./default-transport.ts";
export type { RateLimitRegistry } from "./rate-limit-registry.ts";
export { createRateLimitRegistry, sharedRateLimits } from "./rate-limit-registry.ts";
export type { RetryOptions } from "./request-executor.ts";
export type * from "./schemas.ts";
export type { TaskQuery } from "./task-query.ts";
export type { RateLimitSnapshot } from "./token-rate-limiter.ts";
