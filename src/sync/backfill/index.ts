export { backfillBinding } from "./backfill-binding.ts";
export { WEBHOOK_EVENTS, webhookEndpoint } from "./ensure-webhook.ts";
export { NO_PUBLIC_URL_WARNING, TIMINGS_OFF_WARNING } from "./messages.ts";
export type {
  BackfillCheckpoint,
  BackfillDeps,
  BackfillOptions,
  BackfillPhase,
  BackfillProgress,
  BackfillResult,
} from "./types.ts";
