import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

describe("ClickUp fake: task comments", () => {
  it("returns newest first, 25 per page, and pages with start + start_id", async () => {
    const { fake, get, list, clock } = seededFake();
    const task = fake.addTask({ listId: list.id });
    const all = Array.from({ length: 60 }, (_, i) => {
      clock.advance(1000);
      // Two comments share each timestamp, so the id tie-break of the cursor matters.
      if (i % 2 === 1) clock.advance(-1000);
      return fake.addComment({ taskId: task.id, text: `c${i}`, emit: false });
    });
    const expected = [...all].reverse().map((c) => c.id);

    const seen: string[] = [];
    let query = "";
    for (;;) {
      const { status, body } = await get(`/v2/task/${task.id}/comment${query}`);
      expect(status).toBe(200);
      seen.push(...body.comments.map((c: { id: string }) => c.id));
      if (body.comments.length < 25) break;
      const last = body.comments.at(-1);
      expect(typeof last.date).toBe("string");
      query = `?start=${last.date}&start_id=${last.id}`;
    }
    expect(seen).toEqual(expected);
  });

  it("comment objects have text, integer user id and ms-string date", async () => {
    const { fake, get, list, jane, clock } = seededFake();
    const task = fake.addTask({ listId: list.id });
    fake.addComment({ taskId: task.id, text: "hello" });
    const c = (await get(`/v2/task/${task.id}/comment`)).body.comments[0];
    expect(c).toMatchObject({
      comment_text: "hello",
      comment: [{ text: "hello" }],
      date: String(clock.now()),
    });
    expect(c.user.id).toBe(jane.id);
  });
});
