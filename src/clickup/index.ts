export { isClickUpError } from "./clickup-error.ts";
export type { Clock } from "./clock.ts";
export type { ClickUpClient } from "./create-clickup-client.ts";
export { createClickUpClient } from "./create-clickup-client.ts";
export type { FetchLike } from "./default-transport.ts";
export { createRateLimitRegistry } from "./rate-limit-registry.ts";
export type { ClickUpTask } from "./schemas.ts";
