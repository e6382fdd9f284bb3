import type { WebhookInput } from "../../clickup/create-clickup-client.ts";
import type { TaskQuery } from "../../clickup/task-query.ts";
import type { BackfillPass } from "./types.ts";

export type ContainerType = "space" | "folder" | "list";

/** Workspace task filter for every task whose home list is in the container, closed and subtasks included. */
export function containerTaskQuery(
  type: ContainerType,
  containerId: string,
  pass: BackfillPass,
  startPage: number,
): TaskQuery {
  const where: TaskQuery =
    type === "space"
      ? { spaceIds: [containerId] }
      : type === "folder"
        ? { folderIds: [containerId] }
        : { listIds: [containerId] };
  return { ...where, includeClosed: true, subtasks: true, archived: pass === "archived", startPage };
}

/** The webhook location field for the container. */
export function webhookScope(
  type: ContainerType,
  containerId: string,
): Pick<WebhookInput, "space_id" | "folder_id" | "list_id"> {
  if (type === "space") return { space_id: containerId };
  if (type === "folder") return { folder_id: containerId };
  return { list_id: containerId };
}
