import { Hono } from "hono";
import type { Logger } from "../log/create-logger.ts";
import { type HonoReceiver, SLACK_MAX_BODY_BYTES } from "../slack/hono-receiver.ts";
import { MAX_WEBHOOK_BODY_BYTES } from "../sync/receive-clickup-webhook.ts";
import { type HealthProbe, healthRoute } from "./health-route.ts";
import { limitBody } from "./limit-body.ts";

export type HttpAppDeps = {
  logger: Logger;
  health: HealthProbe;
  /** Absent when Slack is not configured (or runs in Socket Mode). */
  slackReceiver?: HonoReceiver;
  /** Handles ClickUp webhook deliveries; absent in the worker role. */
  clickupWebhook?: (request: Request) => Promise<Response>;
};

/** Path ClickUp delivers webhooks to, under PUBLIC_URL. */
export const CLICKUP_WEBHOOK_PATH = "/clickup/webhook";

/**
 * The HTTP surface: health, Slack's request URL and ClickUp's webhook endpoint. Both POST routes stop
 * reading a body at their limit, so an oversized one costs no more memory than the limit.
 */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", healthRoute(deps.health));
  app.post("/slack/events", limitBody(SLACK_MAX_BODY_BYTES), async (c) => {
    if (!deps.slackReceiver) {
      return c.json(
        { error: "Slack is not configured on this server: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN" },
        503,
      );
    }
    return deps.slackReceiver.handle(c.req.raw);
  });
  if (deps.clickupWebhook) {
    const handler = deps.clickupWebhook;
    app.post(CLICKUP_WEBHOOK_PATH, limitBody(MAX_WEBHOOK_BODY_BYTES), (c) => handler(c.req.raw));
  }
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, "HTTP handler failed");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
