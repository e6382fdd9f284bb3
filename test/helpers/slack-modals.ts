import type { Sql } from "postgres";
import { expect } from "vitest";
import type { SlackFake } from "../fakes/slack/index.ts";
import { interactionRequest } from "./sign-slack-request.ts";
import { TEST_SIGNING_SECRET } from "./test-config.ts";

type Payload = Record<string, unknown>;
/** A hostile test's change to the payload Slack would have sent. */
type Edit = (payload: Payload) => Payload;

/** What the app answered to a request from a modal, and the view Slack then shows on top. */
export type ModalAnswer = {
  status: number;
  body: Record<string, unknown> | undefined;
  /** The view on top of the user's stack after Slack applied the answer (submissions only). */
  top: string | undefined;
};

/**
 * Drives modals the way Slack does: a command opens one (views.open to the fake), then submissions,
 * select changes and external-select searches are sent from the view as the fake stores it, signed, and
 * the app's answer to a submission is applied to the fake's stack as Slack would.
 */
export function modalKit(options: { slack: SlackFake; url: string; sql: () => Sql; now?: () => number }) {
  const { slack, url } = options;
  const send = async (payload: Payload): Promise<{ status: number; body: Payload | undefined }> => {
    const res = await fetch(
      interactionRequest({ url, signingSecret: TEST_SIGNING_SECRET, now: options.now, payload }),
    );
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Payload) : undefined };
  };
  return {
    /** Runs what opens a modal; the modal's view id, once flowbot has recorded who opened it. */
    async open(run: () => Promise<unknown>): Promise<string> {
      const before = slack.callsTo("views.open").length;
      await run();
      await waitUntil("views.open", () => slack.callsTo("views.open").length > before);
      const opened = slack.callsTo("views.open").at(-1)!.response as { ok: boolean; view?: { id: string } };
      expect(opened.ok).toBe(true);
      const viewId = opened.view!.id;
      await waitUntil(
        `flowbot recording view ${viewId}`,
        async () => (await options.sql()`select 1 from slack_views where view_id = ${viewId}`).length === 1,
      );
      return viewId;
    },
    /**
     * Submits the view. With `edit` (a forged payload), the answer is not applied to the fake's view:
     * what a forger's request gets back does not change the real user's modal.
     */
    async submit(viewId: string, values: Payload = {}, edit?: Edit): Promise<ModalAnswer> {
      const answer = await send((edit ?? ((p) => p))(slack.viewSubmission(viewId, values)));
      const top = answer.status === 200 && !edit ? slack.applyViewAnswer(viewId, answer.body) : undefined;
      return { ...answer, top };
    },
    async act(viewId: string, action: Payload, edit: Edit = (p) => p): Promise<ModalAnswer> {
      return { ...(await send(edit(slack.viewAction(viewId, action)))), top: viewId };
    },
    async suggest(
      viewId: string,
      fields: { action_id: string; block_id: string; value: string },
      edit: Edit = (p) => p,
    ): Promise<ModalAnswer> {
      return { ...(await send(edit(slack.viewSuggestion(viewId, fields)))), top: viewId };
    },
  };
}

/** Polls `check` until it holds (also outside a test, e.g. in beforeAll, where expect.poll is refused). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
