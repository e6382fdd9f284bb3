import type { CommentsBackfillResult } from "./backfill-comments.ts";

/** The status backfill's summary with what the comments pass did, once it is done (§14.4). */
export function commentsDoneText(
  summary: string,
  result: Exclude<CommentsBackfillResult, { status: "not_ready" }>,
): string {
  if (result.status === "stopped") {
    return `${summary}\n:warning: Comments could not be read: ${result.reason}`;
  }
  return `${summary}\n:speech_balloon: Comments read for sentiment: ${result.comments} comment(s) from ${result.of} task(s) in progress or finished in the window, ${result.requests} ClickUp request(s).`;
}
