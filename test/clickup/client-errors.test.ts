import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry, isClickUpError } from "../../src/clickup/index.ts";
import { rejectionOf, setupClient, TOKEN } from "./setup-client.ts";

describe("ClickUp client error classification", () => {
  it("treats a missing or revoked token as token_invalid and says how to reconnect", async () => {
    const { fake, client } = setupClient();
    const noHeader = await rejectionOf(client("").getUser());
    expect(isClickUpError(noHeader, "token_invalid") && noHeader.ecode).toBe("OAUTH_017");
    fake.revokeToken(TOKEN);
    const revoked = await rejectionOf(client().getUser());
    expect(isClickUpError(revoked, "token_invalid") && revoked.ecode).toBe("OAUTH_025");
    expect((revoked as Error).message).toMatch(/ClickUp › Settings › Apps.*\/flow connect/);
    expect((revoked as Error).message).not.toContain(TOKEN);
  });

  it("treats a 401 OAUTH_027 as not_authorized, not as a bad token", async () => {
    const { client } = setupClient();
    const err = await rejectionOf(client().getList("999999"));
    expect(isClickUpError(err, "not_authorized") && err.ecode).toBe("OAUTH_027");
    expect((err as Error).message).toContain("GET /v2/list/999999");
  });

  it("treats 404 ITEM_013 as not_found", async () => {
    const { client } = setupClient();
    const err = await rejectionOf(client().getTask("nope"));
    expect(isClickUpError(err, "not_found") && err.status).toBe(404);
    expect((err as Error).message).toContain("/flow bind");
  });

  it("retries 5xx with backoff, then gives up with clickup_down", async () => {
    const { fake, list, client } = setupClient();
    fake.faults.failNext(2, { status: 503 });
    await expect(client().getList(list.id)).resolves.toMatchObject({ id: list.id });

    fake.faults.failNext(10, { status: 502 });
    const before = fake.requests.count();
    const err = await rejectionOf(client().getList(list.id));
    expect(isClickUpError(err, "clickup_down") && err.status).toBe(502);
    expect((err as Error).message).toMatch(/after 5 attempts \(last: HTTP 502\).*status\.clickup\.com/);
    expect(fake.requests.count() - before).toBe(5);
  });

  it("turns network failures into clickup_down", async () => {
    const client = createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
      rateLimits: createRateLimitRegistry(),
      retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 },
    });
    const err = await rejectionOf(client.getUser());
    expect(isClickUpError(err, "clickup_down")).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(TypeError);
  });

  it("reports a disabled Time in Status ClickApp as clickapp_disabled", async () => {
    const { fake, team, list, client } = setupClient();
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.setTimeInStatusEnabled(team.id, false);
    const err = await rejectionOf(client().bulkTimeInStatus([task.id]));
    expect(isClickUpError(err, "clickapp_disabled")).toBe(true);
    expect((err as Error).message).toContain("ClickApps");
  });

  it("reports other 4xx as bad_request", async () => {
    const { team, client } = setupClient();
    const err = await rejectionOf(
      client().createWebhook(team.id, { endpoint: "https://x.test", events: ["nope"] }),
    );
    expect(isClickUpError(err, "bad_request") && err.ecode).toBe("INPUT_005");
  });
});
