import type { ClickUpClient } from "../clickup/index.ts";

/**
 * A rough task count for a container from ClickUp's `task_count` fields, for the progress
 * message's ETA only (ClickUp's counts may leave out closed tasks or subtasks). At most two
 * listing calls; undefined when ClickUp does not say.
 */
export async function estimateContainerTasks(
  clickup: ClickUpClient,
  container: { type: "space" | "folder" | "list"; id: string },
  signal?: AbortSignal,
): Promise<number | undefined> {
  const sum = (counts: (number | null | undefined)[]) =>
    counts.every((n) => typeof n === "number") ? (counts as number[]).reduce((a, b) => a + b, 0) : undefined;
  try {
    if (container.type === "list") return sum([(await clickup.getList(container.id, { signal })).task_count]);
    if (container.type === "folder") {
      return sum((await clickup.getFolderLists(container.id, { signal })).map((l) => l.task_count));
    }
    const [folders, loose] = await Promise.all([
      clickup.getFolders(container.id, { signal }),
      clickup.getFolderlessLists(container.id, { signal }),
    ]);
    return sum([
      ...folders.flatMap((f) => f.lists.map((l) => l.task_count)),
      ...loose.map((l) => l.task_count),
    ]);
  } catch {
    return undefined;
  }
}
