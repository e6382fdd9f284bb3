export { backfillBinding } from "./backfill-binding.ts";
export { NO_PUBLIC_URL_WARNING, TIMINGS_OFF_WARNING } from "./messages.ts";
export type { BackfillDeps, BackfillProgress } from "./types.ts";
