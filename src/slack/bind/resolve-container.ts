import type { Container } from "../../bindings/container.ts";
import { type ClickUpClient, isClickUpError } from "../../clickup/index.ts";

export type ResolvedContainer = { ok: true; container: Container } | { ok: false; reason: string };

/**
 * A container as ClickUp describes it now — name, space, folder and path read from ClickUp, not from
 * what a modal carried — provided the connected token sees it in the connected workspace.
 * ClickUp errors other than "cannot see it" are thrown (the caller says to try again).
 */
export async function resolveContainer(
  clickup: ClickUpClient,
  clickupTeamId: string,
  ref: Pick<Container, "type" | "id">,
  signal: AbortSignal,
): Promise<ResolvedContainer> {
  const notVisible: ResolvedContainer = {
    ok: false,
    reason: `The connected ClickUp token cannot see ${ref.type} ${ref.id} in this ClickUp workspace.`,
  };
  try {
    const [spaces, found] = await Promise.all([
      clickup.getSpaces(clickupTeamId, { signal }),
      describe(clickup, ref, signal),
    ]);
    const space = spaces.find((s) => s.id === found.spaceId);
    if (!space) return notVisible;
    const path = [space.name, found.folderName, found.listName].filter(Boolean).join(" › ");
    return {
      ok: true,
      container: {
        type: ref.type,
        id: ref.id,
        name: ref.type === "space" ? space.name : ref.type === "folder" ? found.folderName! : found.listName!,
        spaceId: space.id,
        folderId: ref.type === "list" ? found.folderId : null,
        path,
      },
    };
  } catch (err) {
    if (isClickUpError(err, "not_authorized") || isClickUpError(err, "not_found")) return notVisible;
    throw err;
  }
}

type Described = { spaceId: string; folderId: string | null; folderName?: string; listName?: string };

async function describe(
  clickup: ClickUpClient,
  ref: Pick<Container, "type" | "id">,
  signal: AbortSignal,
): Promise<Described> {
  if (ref.type === "space")
    return { spaceId: (await clickup.getSpace(ref.id, { signal })).id, folderId: null };
  if (ref.type === "folder") {
    const folder = await clickup.getFolder(ref.id, { signal });
    if (!folder.space) throw notInSpace(ref);
    return { spaceId: folder.space.id, folderId: null, folderName: folder.name };
  }
  const list = await clickup.getList(ref.id, { signal });
  if (!list.space) throw notInSpace(ref);
  // A folderless list reports its space's hidden folder (or none): it sits directly in the space.
  const folder = list.folder && !list.folder.hidden ? list.folder : undefined;
  return {
    spaceId: list.space.id,
    folderId: folder?.id ?? null,
    ...(folder?.name ? { folderName: folder.name } : {}),
    listName: list.name,
  };
}

function notInSpace(ref: Pick<Container, "type" | "id">): Error {
  return new Error(`ClickUp described ${ref.type} ${ref.id} without its space`);
}
