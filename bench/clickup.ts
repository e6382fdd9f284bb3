// Drives the ClickUp client against the in-repo fake over loopback HTTP with several concurrent callers
// on one token, and reports how much of the token's rate limit was used and whether any 429 slipped out.
import { createClickUpClient, createRateLimitRegistry } from "../src/clickup/index.ts";
import { createClickUpFake } from "../test/fakes/clickup/index.ts";

const LIMIT = 100;
const WINDOW_MS = 2_000;
const DURATION_MS = 10_000;
const CALLERS = 8;
const TOKEN = "pk_bench_TOKEN";

const fake = createClickUpFake({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS }, recordRequests: false });
const team = fake.addWorkspace({ name: "Bench" });
fake.addUser({ token: TOKEN, teamIds: [team.id] });
const space = fake.addSpace({ teamId: team.id });
const list = fake.addList({ spaceId: space.id, name: "Bench" });
const server = await fake.listen();
const client = createClickUpClient({
  baseUrl: server.url,
  token: TOKEN,
  rateLimits: createRateLimitRegistry(),
});

const started = Date.now();
const stop = new AbortController();
let done = 0;
const caller = async () => {
  while (Date.now() - started < DURATION_MS) {
    try {
      await client.getList(list.id, { signal: stop.signal });
      done += 1;
    } catch (err) {
      if (stop.signal.aborted) return;
      throw err;
    }
  }
};
const timer = setTimeout(() => stop.abort(), DURATION_MS);
await Promise.all(Array.from({ length: CALLERS }, caller));
clearTimeout(timer);
const elapsed = Date.now() - started;
await server.close();

const stats = fake.rateLimiter.stats();
console.log(
  JSON.stringify({
    requests: done,
    rate_limit_per_min: (LIMIT * 60_000) / WINDOW_MS,
    achieved_per_min: Math.round((done / elapsed) * 60_000),
    achieved_ratio: Number((done / ((elapsed / WINDOW_MS) * LIMIT)).toFixed(3)),
    http_429: stats.limited,
    server_requests: stats.requests,
    elapsed_ms: elapsed,
    concurrency: CALLERS,
  }),
);
