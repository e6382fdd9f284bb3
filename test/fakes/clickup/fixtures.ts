import { type ClickUpFakeOptions, createClickUpFake } from "./create-clickup-fake.ts";

/** A mutable clock for tests: `clock.now` is injected, `clock.advance` moves time. */
export function createClock(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests probe response JSON field by field and assert on values.
type Body = any;

export const TOKEN = "pk_4400001_TESTTOKEN";

/**
 * A fake seeded with one workspace (Acme), its owner Jane (token TOKEN), a space with a folder holding
 * list "Sprint", and a folderless list "Inbox". Tests add what else they need.
 */
export function seededFake(options: ClickUpFakeOptions = {}) {
  const clock = createClock();
  const fake = createClickUpFake({ now: clock.now, ...options });
  const team = fake.addWorkspace({ name: "Acme" });
  const jane = fake.addUser({ username: "Jane Roe", token: TOKEN, teamIds: [team.id], role: 1 });
  const space = fake.addSpace({ teamId: team.id, name: "Engineering" });
  const folder = fake.addFolder({ spaceId: space.id, name: "Product" });
  const list = fake.addList({ folderId: folder.id, name: "Sprint" });
  const inbox = fake.addList({ spaceId: space.id, name: "Inbox" });

  /** GET through the in-process fetch with Jane's token (or `token: null` for none); returns status + JSON. */
  async function get(path: string, token: string | null = TOKEN) {
    const res = await fake.fetch(`http://clickup.test/api${path}`, {
      headers: token === null ? {} : { authorization: token },
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Body };
  }

  async function send(method: string, path: string, body?: unknown, token: string = TOKEN) {
    const res = await fake.fetch(`http://clickup.test/api${path}`, {
      method,
      headers: { authorization: token, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  return { fake, clock, team, jane, space, folder, list, inbox, get, send };
}
