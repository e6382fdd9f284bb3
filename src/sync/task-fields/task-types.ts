import { z } from "zod";

/** One of the workspace's custom task types (`GET /v2/team/{team_id}/custom_item`). */
export interface TaskType {
  id: number;
  name: string;
}

/** ClickUp's built-in types, which the custom task types endpoint does not list: 0 a task, 1 a milestone (docs/clickup.md §12). */
const BUILT_IN: readonly TaskType[] = [
  { id: 0, name: "Task" },
  { id: 1, name: "Milestone" },
];
export const UNKNOWN_TASK_TYPE = "(unknown type)";

const customItem = z.object({
  id: z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int().nonnegative()),
  name: z.string().trim().min(1),
});

/**
 * The custom task types in that endpoint's answer `{custom_items: [{id, name, name_plural, description}]}`;
 * an item whose id is no integer (one published example shows a UUID-like string) is left out.
 */
export function parseCustomItemsResponse(body: unknown): TaskType[] {
  const parsed = z.object({ custom_items: z.array(z.unknown()) }).safeParse(body);
  if (!parsed.success) return [];
  const byId = new Map<number, TaskType>();
  for (const raw of parsed.data.custom_items) {
    const item = customItem.safeParse(raw);
    if (item.success) byId.set(item.data.id, item.data);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The name of a task type id: the workspace's own name, the built-in one, or "(unknown type)". */
export function taskTypeName(typeId: number, types: readonly TaskType[]): string {
  return (
    types.find((t) => t.id === typeId)?.name ??
    BUILT_IN.find((t) => t.id === typeId)?.name ??
    UNKNOWN_TASK_TYPE
  );
}
