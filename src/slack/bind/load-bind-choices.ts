import type { ClickUpClient } from "../../clickup/index.ts";

export type Choice = { id: string; name: string };
export type BindChoices = {
  spaces: Choice[];
  /** Folders of the chosen space. */
  folders: Choice[];
  /** Lists of the chosen folder, or the space's folderless lists when no folder is chosen. */
  lists: Choice[];
};

export type BindSelection = { spaceId?: string; folderId?: string; listId?: string };

/** The folder choice for "no folder": the space's folderless lists. Not a ClickUp id. */
export const NO_FOLDER = "none";

/** Fetches what each level of the drill-down offers for the current selection. */
export async function loadBindChoices(
  clickup: ClickUpClient,
  teamId: string,
  selection: BindSelection,
  signal?: AbortSignal,
): Promise<BindChoices> {
  const pick = (items: { id: string; name: string }[]) => items.map(({ id, name }) => ({ id, name }));
  const spaces = pick(await clickup.getSpaces(teamId, { signal }));
  if (!selection.spaceId) return { spaces, folders: [], lists: [] };
  const [folders, lists] = await Promise.all([
    clickup.getFolders(selection.spaceId, { signal }),
    selection.folderId && selection.folderId !== NO_FOLDER
      ? clickup.getFolderLists(selection.folderId, { signal })
      : clickup.getFolderlessLists(selection.spaceId, { signal }),
  ]);
  return { spaces, folders: pick(folders.filter((f) => !f.hidden)), lists: pick(lists) };
}
