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

describe("ClickUp fake: threaded replies and comment webhooks (docs/clickup.md §16)", () => {
  it("replies are listed under their parent only, oldest first, and counted in reply_count", async () => {
    const { fake, get, list, clock } = seededFake();
    const task = fake.addTask({ listId: list.id });
    const parent = fake.addComment({ taskId: task.id, text: "parent", emit: false });
    clock.advance(1000);
    const first = fake.addComment({ taskId: task.id, text: "first reply", parentId: parent.id, emit: false });
    clock.advance(1000);
    const second = fake.addComment({
      taskId: task.id,
      text: "second reply",
      parentId: parent.id,
      emit: false,
    });

    const top = (await get(`/v2/task/${task.id}/comment`)).body.comments;
    expect(top.map((c: { id: string }) => c.id)).toEqual([parent.id]);
    expect(top[0].reply_count).toBe("2");
    const replies = await get(`/v2/comment/${parent.id}/reply`);
    expect(replies.status).toBe(200);
    expect(replies.body.comments.map((c: { id: string }) => c.id)).toEqual([first.id, second.id]);
    expect((await get(`/v2/comment/${first.id}/reply`)).body.comments).toEqual([]);
    expect((await get("/v2/comment/1/reply")).status).toBe(404);
    // Another workspace's token cannot read them.
    fake.addWorkspace({ id: "77", name: "Other" });
    const stranger = fake.addUser({ username: "Stranger", teamIds: ["77"], token: "pk_77_STRANGER" });
    expect(stranger.id).toBeGreaterThan(0);
    expect((await get(`/v2/comment/${parent.id}/reply`, "pk_77_STRANGER")).status).toBe(401);
  });

  it("an edit fires taskCommentUpdated + taskUpdated with the whole comment; a deletion fires nothing", async () => {
    const received: {
      event: string;
      history_items: { field: string; comment: { id: string; comment_text: string } }[];
    }[] = [];
    const ctx = seededFake({
      webhooks: {
        deliver: async (_url, init) => {
          received.push(JSON.parse(String(init.body)));
          return new Response(null, { status: 200 });
        },
      },
    });
    await ctx.send("POST", `/v2/team/${ctx.team.id}/webhook`, {
      endpoint: "https://flowbot.test/hook",
      events: "*",
    });
    const task = ctx.fake.addTask({ listId: ctx.list.id, emit: false });
    const comment = ctx.fake.addComment({ taskId: task.id, text: "draft", emit: false });
    ctx.clock.advance(60_000);
    ctx.fake.updateComment(comment.id, "final words");
    await ctx.fake.webhooks.settled();
    expect(received.map((d) => d.event)).toEqual(["taskCommentUpdated", "taskUpdated"]);
    const item = received[0]!.history_items[0]!;
    expect(item).toMatchObject({ field: "comment", date: String(ctx.clock.now()) });
    expect(item.comment).toMatchObject({
      id: comment.id,
      comment_text: "final words",
      date: String(comment.date),
    });

    ctx.fake.deleteComment(comment.id);
    await ctx.fake.webhooks.settled();
    expect(received).toHaveLength(2);
    expect((await ctx.get(`/v2/task/${task.id}/comment`)).body.comments).toEqual([]);
  });
});
