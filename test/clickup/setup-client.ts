import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createClickUpFake, type RecordedRequest } from "../fakes/clickup/index.ts";

export const TOKEN = "pk_4400001_CLIENTTEST";

/**
 * A fake with one workspace, space, folder and list, and a client factory on the in-process fetch.
 * The default limit is generous: pacing spreads a small budget over its window, which only slows tests.
 */
export function setupClient(rateLimit = { limit: 10_000, windowMs: 60_000 }) {
  const fake = createClickUpFake({ rateLimit });
  const team = fake.addWorkspace({ name: "Acme" });
  fake.addUser({ token: TOKEN, teamIds: [team.id] });
  const space = fake.addSpace({ teamId: team.id });
  const folder = fake.addFolder({ spaceId: space.id });
  const list = fake.addList({ folderId: folder.id, name: "Sprint" });
  // One registry per test, so limiter state does not leak between tests that reuse TOKEN.
  const rateLimits = createRateLimitRegistry();
  const client = (token = TOKEN) =>
    createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token,
      fetch: fake.fetch,
      rateLimits,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  return { fake, team, space, folder, list, client };
}

export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

/** Request counts per fixed window, windows opening on the first request after the last one closed. */
export function countsPerWindow(entries: readonly RecordedRequest[], windowMs: number): number[] {
  const counts: number[] = [];
  let start = Number.NEGATIVE_INFINITY;
  for (const e of [...entries].sort((a, b) => a.at - b.at)) {
    if (e.at >= start + windowMs) {
      start = e.at;
      counts.push(0);
    }
    counts[counts.length - 1]! += 1;
  }
  return counts;
}
