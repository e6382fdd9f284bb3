import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFlowbotProcess as start, waitForHealth } from "../helpers/flowbot-process.ts";

// The acceptance path as an operator meets it: `node src/main.ts` (what `npm start` runs) with no
// configuration, in a fresh data folder, then SIGTERM, then a second start on the same data.
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("flowbot as a process", () => {
  it("stops at once with a message naming an invalid PORT", async () => {
    const p = start({ PORT: "eighty" });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain("PORT must be a whole number");
  });

  it("stops at once with a message naming a malformed DATABASE_URL", async () => {
    const p = start({ DATABASE_URL: "postgres//nohost" });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain("DATABASE_URL is not a valid postgres:// URL");
  });

  it("serves /healthz with no configuration, exits on SIGTERM, and reuses its data next time", {
    timeout: 90_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "flowbot-proc-"));
    dirs.push(dataDir);
    await chmod(dataDir, 0o755); // mkdtemp makes it private; the embedded server's user must reach it
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const env = { FLOWBOT_DATA_DIR: dataDir, PORT: port };

    const first = start(env);
    const startedAt = Date.now();
    const health = await (
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, 30_000).catch((err) => {
        throw new Error(`${err.message}; output:\n${first.output()}`);
      })
    ).json();
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(health).toMatchObject({ status: "ok", database: { ok: true }, worker: { ok: true } });
    expect(first.output()).toContain("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET");
    expect((await stat(path.join(dataDir, "encryption.key"))).mode & 0o777).toBe(0o600);

    const stopAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited, first.output()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    expect(first.output()).toContain("flowbot stopped");

    const second = start(env);
    await waitForHealth(`http://127.0.0.1:${port}/healthz`, 30_000);
    expect(second.output()).toContain('"reused":true');
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
    // Nothing secret reaches the logs.
    expect(first.output() + second.output()).not.toMatch(/postgres:\/\/flowbot:[^[]/);
  });
});
