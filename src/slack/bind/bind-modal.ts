import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import { type Container, containerUrl } from "../../bindings/container.ts";
import { modal, section } from "../views/block-kit.ts";
import { type BindChoices, type BindSelection, type Choice, NO_FOLDER } from "./load-bind-choices.ts";

export const BIND_CALLBACK = "flow_bind";
export const BIND_CONFIRM_CALLBACK = "flow_bind_confirm";
export const ACTIONS = { space: "bind_space", folder: "bind_folder", list: "bind_list" } as const;
/** Slack's cap for a static select; above it the level switches to a searchable external select. */
const MAX_STATIC_OPTIONS = 100;

/** What the drill-down modal carries between steps: the selection, and the container it picks. */
export type BindMetadata = BindSelection & { container?: Container };

export function choiceOption(c: Choice): PlainTextOption {
  const label = `${c.name} (${c.id})`;
  return {
    text: { type: "plain_text", text: label.length > 75 ? `${label.slice(0, 72)}…` : label },
    value: c.id,
  };
}

function select(actionId: string, placeholder: string, options: PlainTextOption[], selected?: string) {
  const initial = options.find((o) => o.value === selected);
  if (options.length > MAX_STATIC_OPTIONS) {
    return {
      type: "external_select" as const,
      action_id: actionId,
      placeholder: { type: "plain_text" as const, text: `${placeholder} (type a name or id)` },
      min_query_length: 1,
      ...(initial ? { initial_option: initial } : {}),
    };
  }
  return {
    type: "static_select" as const,
    action_id: actionId,
    placeholder: { type: "plain_text" as const, text: placeholder },
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
}

/** The deepest level chosen so far is what Bind binds. */
function selectedContainer(sel: BindSelection, choices: BindChoices): Container | undefined {
  const space = choices.spaces.find((s) => s.id === sel.spaceId);
  if (!space) return undefined;
  const folder =
    sel.folderId && sel.folderId !== NO_FOLDER
      ? choices.folders.find((f) => f.id === sel.folderId)
      : undefined;
  const list = sel.listId ? choices.lists.find((l) => l.id === sel.listId) : undefined;
  if (list) {
    return {
      type: "list",
      id: list.id,
      name: list.name,
      spaceId: space.id,
      folderId: folder?.id ?? null,
      path: [space.name, folder?.name, list.name].filter(Boolean).join(" › "),
    };
  }
  if (folder) {
    return {
      type: "folder",
      id: folder.id,
      name: folder.name,
      spaceId: space.id,
      folderId: null,
      path: `${space.name} › ${folder.name}`,
    };
  }
  return {
    type: "space",
    id: space.id,
    name: space.name,
    spaceId: space.id,
    folderId: null,
    path: space.name,
  };
}

/** The drill-down modal: space → folder (or "no folder") → list, each option with its id. */
export function bindModal(meta: BindMetadata, choices: BindChoices | undefined, teamId: string): View {
  const selection: BindSelection = {
    ...(meta.spaceId ? { spaceId: meta.spaceId } : {}),
    ...(meta.folderId ? { folderId: meta.folderId } : {}),
    ...(meta.listId ? { listId: meta.listId } : {}),
  };
  const chosen = choices ? selectedContainer(selection, choices) : undefined;
  const base = {
    callbackId: BIND_CALLBACK,
    privateMetadata: JSON.stringify({ ...selection, ...(chosen ? { container: chosen } : {}) }),
    title: "Bind ClickUp",
  };
  if (!choices) {
    return modal({ ...base, blocks: [section(":hourglass_flowing_sand: Loading your ClickUp spaces…")] });
  }
  const elements = [select(ACTIONS.space, "Choose a space", choices.spaces.map(choiceOption), meta.spaceId)];
  if (meta.spaceId) {
    const folderOptions = [
      {
        text: { type: "plain_text" as const, text: "No folder (lists directly in the space)" },
        value: NO_FOLDER,
      },
      ...choices.folders.map(choiceOption),
    ];
    elements.push(select(ACTIONS.folder, "Whole space, or a folder", folderOptions, meta.folderId));
    if (choices.lists.length) {
      elements.push(
        select(
          ACTIONS.list,
          meta.folderId && meta.folderId !== NO_FOLDER ? "Whole folder, or a list" : "Whole space, or a list",
          choices.lists.map(choiceOption),
          meta.listId,
        ),
      );
    }
  }
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: "Choose what this channel's project tracks: a whole space, a folder, or one list. Every option shows its ClickUp id.",
      },
    },
    { type: "actions", block_id: "levels", elements },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: chosen
            ? `Selected ${chosen.type} *${chosen.path}* · id \`${chosen.id}\` · <${containerUrl(teamId, chosen)}|ClickUp ↗>`
            : "Nothing selected yet.",
        },
      ],
    },
  ];
  return modal({ ...base, submit: "Bind", blocks });
}

/** Pushed on Bind: what will be bound and what happens next. */
export function confirmBindModal(
  channelId: string,
  container: Container,
  teamId: string,
  publicUrl: string | undefined,
): View {
  return modal({
    callbackId: BIND_CONFIRM_CALLBACK,
    // Only which container: its names and place are read from ClickUp again on Confirm.
    privateMetadata: JSON.stringify({ container: { type: container.type, id: container.id } }),
    title: "Confirm bind",
    submit: "Confirm bind",
    close: "Back",
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: [
            `Bind the ${container.type} *${container.path}* (id \`${container.id}\`, <${containerUrl(teamId, container)}|ClickUp ↗>) to <#${channelId}>?`,
            "",
            "*Next:* the binding starts as _not synced_. Backfill pulls every task (open, closed, subtasks, archived) and the time each spent per status" +
              (publicUrl
                ? ", then registers a ClickUp webhook so changes stream in."
                : "; live updates stay off until PUBLIC_URL is set."),
          ].join("\n"),
        },
      },
    ],
  });
}
