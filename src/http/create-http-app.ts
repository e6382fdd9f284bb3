import { Hono } from "hono";
import type { Logger } from "../log/create-logger.ts";
import type { HonoReceiver } from "../slack/hono-receiver.ts";
import { type HealthProbe, healthRoute } from "./health-route.ts";

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

/** The HTTP surface: health, Slack's request URL and ClickUp's webhook endpoint. */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", healthRoute(deps.health));
  app.post("/slack/events", async (c) => {
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
    app.post(CLICKUP_WEBHOOK_PATH, (c) => handler(c.req.raw));
  }
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, "HTTP handler failed");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
