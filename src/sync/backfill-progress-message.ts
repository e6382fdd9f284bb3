import type { WebClient } from "@slack/web-api";
import type { ClickUpClient } from "../clickup/index.ts";
import type { Logger } from "../log/create-logger.ts";
import type { BackfillProgress, BackfillResult } from "./backfill/types.ts";

/** The line a done backfill's message carries while its comments pass runs (src/sync/comments). */
export const COMMENTS_STILL_READING = ":speech_balloon: Still reading comments for sentiment…";

/** Slack's chat.update is rate limited too; one edit every few seconds is plenty for a person. */
const UPDATE_EVERY_MS = 5000;

/**
 * The channel message a backfill keeps up to date: tasks and requests so far, the rate ClickUp
 * allows, an estimate of what is left, then a summary (or the reason it stopped). Slack failures
 * are logged and never fail the backfill.
 */
export function backfillProgressMessage(options: {
  slack: WebClient;
  channelId: string;
  userId: string;
  label: string;
  clickup: ClickUpClient;
  logger: Logger;
  now: () => number;
  /** Tasks ClickUp reports for the container's lists, when known; drives the ETA. */
  expectedTasks?: number;
}) {
  const { slack, channelId, label, logger } = options;
  let ts: string | undefined;
  const startedAt = options.now();
  // Posting the first message counts as an update: the next edit waits its turn.
  let lastUpdate = startedAt;
  const safely = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      logger.warn({ err, channelId }, `could not ${what} the backfill progress message`);
    }
  };
  const rateLine = () => {
    const { limit } = options.clickup.rateLimit();
    return limit ? `ClickUp allows ${limit} requests/min for this token` : "";
  };
  const progressText = (p: BackfillProgress) => {
    const perMin = options.clickup.rateLimit().limit ?? 100;
    const left =
      options.expectedTasks && options.expectedTasks > p.tasks
        ? ` · about ${Math.ceil(((options.expectedTasks - p.tasks) / 100) * 2 * (60 / perMin))} s left`
        : "";
    return `:arrows_counterclockwise: Backfilling *${label}*: ${p.tasks} task(s) in ${p.pages} page(s), ${p.requests} ClickUp request(s)${left}. ${rateLine()}`;
  };
  return {
    async start() {
      await safely("post", async () => {
        const res = await slack.chat.postMessage({
          channel: channelId,
          text: `:arrows_counterclockwise: Backfill of *${label}* started.`,
        });
        ts = res.ts;
      });
    },
    async progress(p: BackfillProgress) {
      if (!ts || options.now() - lastUpdate < UPDATE_EVERY_MS) return;
      lastUpdate = options.now();
      await safely("update", () => slack.chat.update({ channel: channelId, ts: ts!, text: progressText(p) }));
    },
    /**
     * The summary (or the reason it stopped). With `commentsQueued`, a done summary adds that comments are
     * still being read (docs/flow-metrics.md §14.4); the comments job edits the message again when it is
     * done, from the returned `ts` and `summary`.
     */
    async finish(result: BackfillResult, o: { commentsQueued?: boolean } = {}) {
      const seconds = Math.round((options.now() - startedAt) / 1000);
      const summary =
        result.status === "synced"
          ? `:white_check_mark: Backfill of *${label}* done: ${result.tasks} task(s), ${result.requests} ClickUp request(s) in ${seconds} s.${result.warning ? `\n:warning: ${result.warning}` : ""}`
          : `:x: Backfill of *${label}* stopped: ${result.reason}`;
      const text =
        result.status === "synced" && o.commentsQueued ? `${summary}\n${COMMENTS_STILL_READING}` : summary;
      await safely("update", async () => {
        if (ts) await slack.chat.update({ channel: channelId, ts, text });
        else ts = (await slack.chat.postMessage({ channel: channelId, text })).ts;
      });
      if (result.status === "error") {
        // The admin who asked hears about a failure once, directly, besides the channel message.
        await safely("notify", () =>
          slack.chat.postEphemeral({
            channel: channelId,
            user: options.userId,
            text: `Backfill of ${label} failed: ${result.reason}`,
          }),
        );
      }
      return { ts, summary };
    },
  };
}
