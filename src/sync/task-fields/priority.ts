import { prioritySchema } from "../../clickup/schemas.ts";
import { PRIORITIES, type Priority } from "./types.ts";

/**
 * A ClickUp priority (`{id: "1".."4", priority: "urgent".."low", …}` on tasks and in `priority` history
 * items) as flowbot's name; null for none or a shape it cannot read. The name wins over the id when both
 * are there, since the id is only a position.
 */
export function priorityOf(raw: unknown): Priority | null {
  const parsed = prioritySchema.safeParse(raw);
  if (!parsed.success) return null;
  const name = parsed.data.priority?.trim().toLowerCase();
  const byName = PRIORITIES.find((p) => p === name);
  if (byName) return byName;
  const index = Number(parsed.data.id);
  return Number.isInteger(index) && index >= 1 && index <= PRIORITIES.length ? PRIORITIES[index - 1]! : null;
}
