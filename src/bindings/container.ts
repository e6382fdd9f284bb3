/** A ClickUp container a project can bind, with where it sits in the hierarchy. */
export type Container = {
  type: "space" | "folder" | "list";
  id: string;
  name: string;
  spaceId: string;
  /** The real folder a list sits in; null for spaces, folders and folderless lists. */
  folderId: string | null;
  /** "Engineering › Sprint folder › Backlog". */
  path: string;
};

/**
 * ClickUp web link to a container. Only task links are documented; these are the forms the
 * ClickUp web app uses (docs/clickup.md §3.6), good enough to tell same-named siblings apart.
 */
export function containerUrl(teamId: string, c: Pick<Container, "type" | "id">): string {
  const kind = { space: "s", folder: "f", list: "li" }[c.type];
  return `https://app.clickup.com/${teamId}/v/${kind}/${c.id}`;
}

/** True when binding `outer` already brings in everything in `inner` (or they are the same). */
export function covers(outer: Container, inner: Container): boolean {
  if (outer.type === inner.type) return outer.id === inner.id;
  if (outer.type === "space") return inner.spaceId === outer.id;
  if (outer.type === "folder") return inner.type === "list" && inner.folderId === outer.id;
  return false;
}
