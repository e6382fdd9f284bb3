export { BLOCK_LIMITS, blocksTextLength, checkBlocks } from "./block-limits.ts";
export { createManualClock, type ManualClock } from "./clock.ts";
export {
  createSlackFake,
  DEFAULT_TRIGGER_USER,
  type FakeFetch,
  type ListeningSlackFake,
  type SlackFake,
  type SlackFakeOptions,
} from "./create-slack-fake.ts";
export { RESPONSE_URL_METHOD, UPLOAD_METHOD } from "./failures.ts";
export { TRIGGER_TTL_MS } from "./methods/views.ts";
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from "./routes/response-url-route.ts";
export type { SlackFakeState } from "./state.ts";
export {
  modal,
  PNG_SIGNATURE,
  section,
  silentLogger,
  slackError,
  TINY_PNG,
  webClientFor,
} from "./test-support.ts";
export type * from "./types.ts";
export { VIEW_LIMITS } from "./view-limits.ts";
