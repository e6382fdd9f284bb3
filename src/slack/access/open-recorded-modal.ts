import type { View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Db } from "../../db/connect-database.ts";
import type { ViewKind } from "./rules.ts";
import { recordView } from "./view-records.ts";

export type ModalOpening = {
  triggerId: string;
  view: View;
  kind: ViewKind;
  teamId: string;
  userId: string;
  /** The channel the modal acts on; whatever comes back from it acts on this channel only. */
  channelId: string;
  projectId?: number;
};

/**
 * Opens a modal and records who opened it for which workspace and channel, so the guard accepts
 * submissions, actions and options from this modal only from that user (rules with `view`).
 * @returns Slack's view id.
 */
export async function openRecordedModal(
  deps: { db: Db; now: () => number },
  client: WebClient,
  opening: ModalOpening,
): Promise<string> {
  const opened = await client.views.open({ trigger_id: opening.triggerId, view: opening.view });
  const viewId = opened.view?.id;
  if (!viewId) throw new Error("views.open answered without a view id");
  await recordView(deps.db, {
    viewId,
    teamId: opening.teamId,
    userId: opening.userId,
    channelId: opening.channelId,
    kind: opening.kind,
    projectId: opening.projectId ?? null,
    openedAt: new Date(deps.now()),
  });
  return viewId;
}
