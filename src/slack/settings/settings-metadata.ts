import type { AckFn, RespondArguments, SlackViewMiddlewareArgs, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Db } from "../../db/connect-database.ts";
import { findProject, type ProjectRow } from "../../flow/settings/project-settings.ts";
import type { Access } from "../access/check-access.ts";
import { noticeModal } from "../views/notice-modal.ts";

type ViewAck = SlackViewMiddlewareArgs["ack"];

/** What every settings modal carries in private_metadata: the project and channel it was opened for. */
const metadataSchema = z.object({ projectId: z.number().int().positive(), channelId: z.string().min(1) });

type SettingsMetadata = z.output<typeof metadataSchema>;

/**
 * A settings modal's private_metadata, or undefined when it is not what flowbot wrote. It travelled
 * through Slack, so callers still compare it with the recorded view (src/slack/access/).
 */
function readSettingsMetadata(raw: string): SettingsMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a settings area's opener gets from the `/flow settings <area>` command. */
export type SettingsOpenContext = {
  ack: AckFn<string | RespondArguments>;
  client: WebClient;
  command: SlashCommand;
  access: Access;
};

/**
 * The project a settings area's modal was submitted for: its metadata must agree with the recorded view
 * (who opened it, for which project and channel), and the project must still be the channel's. Otherwise
 * the modal is answered with a notice naming `command` and undefined comes back (nothing to save).
 */
export async function submittedProject(
  db: Db,
  submission: { ack: ViewAck; privateMetadata: string; access: Access },
  modal: { title: string; command: string },
): Promise<ProjectRow | undefined> {
  const { ack, access } = submission;
  const opened = access.view!;
  const meta = readSettingsMetadata(submission.privateMetadata);
  if (!meta || meta.projectId !== opened.projectId || meta.channelId !== opened.channelId) {
    await ack({
      response_action: "update",
      view: noticeModal(
        modal.title,
        `This dialog is damaged; nothing was saved. Run \`${modal.command}\` again.`,
      ),
    });
    return undefined;
  }
  const project = await findProject(db, access.teamId, meta.channelId);
  if (!project || project.id !== meta.projectId) {
    await ack({
      response_action: "update",
      view: noticeModal(modal.title, "This channel's project no longer exists; nothing was saved."),
    });
    return undefined;
  }
  return project;
}

/**
 * The project of the channel a `/flow settings…` command was run in; when the channel has none, the
 * command is answered (ephemeral) with how to make it one and undefined comes back. Does not ack
 * otherwise: the opener acks when it is ready to open its modal.
 */
export async function commandProject(
  db: Db,
  ctx: Pick<SettingsOpenContext, "ack" | "command" | "access">,
  command: string,
): Promise<ProjectRow | undefined> {
  const project = await findProject(db, ctx.access.teamId, ctx.command.channel_id);
  if (!project) {
    await ctx.ack({
      response_type: "ephemeral",
      text: `This channel is not a flowbot project yet. Bind a ClickUp list here first with \`/flow bind\`, then run \`${command}\` again.`,
    });
  }
  return project;
}
