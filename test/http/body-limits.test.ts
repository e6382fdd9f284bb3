import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BOT_TOKEN, TEST_KEY_HEX, TEST_SIGNING_SECRET } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Request bodies as an unauthenticated client can send them to the two public POST routes, against
// flowbot as a process (`node src/main.ts`), whose memory is measured from outside.
const root = path.resolve(import.meta.dirname, "../..");
const ROUTES = ["/clickup/webhook", "/slack/events"];
const MB = 1024 * 1024;
let tdb: TestDatabase;
let child: ChildProcess;
let output = "";
let base: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(SLACK_|FLOWBOT_|DATABASE_URL|PORT|PUBLIC_URL|CLICKUP_)/.test(k),
    ),
  );
  child = spawn(process.execPath, ["src/main.ts"], {
    cwd: root,
    env: {
      ...env,
      DATABASE_URL: tdb.url,
      FLOWBOT_ENCRYPTION_KEY: TEST_KEY_HEX,
      FLOWBOT_ROLE: "web",
      PORT: String(port),
      // Slack on, so /slack/events hands bodies to its receiver; its Web API is never reached.
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_API_URL: "http://127.0.0.1:2/api/",
      LOG_LEVEL: "warn",
    },
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  base = `http://127.0.0.1:${port}`;
  const by = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > by || child.exitCode !== null) throw new Error(`flowbot did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  await tdb?.drop();
});

/** Resident memory of the server process in bytes, from /proc. */
function rss(field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
}

/**
 * Posts `totalBytes` of body with no Content-Length (chunked), as fast as the server takes it; stops
 * when the answer comes or the server closes the connection. Returns the status and bytes written.
 */
async function postChunked(
  route: string,
  totalBytes: number,
): Promise<{ status: number | null; sent: number }> {
  const req = request(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
  });
  let status: number | null = null;
  let closed = false;
  const answered = new Promise<void>((resolve) => {
    req.on("response", (res) => {
      status = res.statusCode ?? null;
      res.resume();
      resolve();
    });
    req.on("error", () => resolve());
    req.on("close", () => {
      closed = true;
      resolve();
    });
  });
  const chunk = Buffer.alloc(64 * 1024, "x");
  let sent = 0;
  req.write('{"pad":"');
  while (sent < totalBytes && status === null && !closed) {
    sent += chunk.length;
    if (!req.write(chunk)) {
      await Promise.race([once(req, "drain"), answered]);
    }
  }
  if (status === null && !closed) req.end('"}');
  await answered;
  req.destroy();
  return { status, sent };
}

describe("request bodies are bounded before they are read", () => {
  for (const route of ROUTES) {
    it(`a 200 MB chunked body to ${route} is answered 413 and costs the server under 20 MB`, {
      timeout: 60_000,
    }, async () => {
      // Peak resident memory from here on (Linux: writing 5 to clear_refs resets the high-water mark).
      const before = rss("VmRSS");
      writeFileSync(`/proc/${child.pid}/clear_refs`, "5");
      const { status, sent } = await postChunked(route, 200 * MB);
      const grown = Math.max(rss("VmHWM"), rss("VmRSS")) - before;
      expect(status).toBe(413);
      expect(sent).toBeLessThan(200 * MB);
      expect(grown).toBeLessThan(20 * MB);
    });
  }

  it("a client that trickles its body is cut off after the read timeout, on both routes", {
    timeout: 30_000,
  }, async () => {
    const started = Date.now();
    const cutOffAfter = await Promise.all(
      ROUTES.map(async (route) => {
        const socket = connect(Number(new URL(base).port), "127.0.0.1");
        await once(socket, "connect");
        socket.write(
          `POST ${route} HTTP/1.1\r\nHost: flowbot\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n`,
        );
        const drip = setInterval(() => socket.write('1\r\n"\r\n'), 250);
        socket.resume();
        socket.on("error", () => {});
        const closed = once(socket, "close").then(() => Date.now() - started);
        const gaveUp = new Promise<number>((resolve) =>
          setTimeout(() => resolve(Number.POSITIVE_INFINITY), 15_000),
        );
        const ms = await Promise.race([closed, gaveUp]);
        clearInterval(drip);
        socket.destroy();
        return ms;
      }),
    );
    // 5 s to send a request, checked every second; both well before 15 s.
    for (const ms of cutOffAfter) expect(ms).toBeLessThan(15_000);
    expect(child.exitCode).toBeNull();
  });
});
