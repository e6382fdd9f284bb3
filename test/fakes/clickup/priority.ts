import type { PriorityId } from "./types.ts";

export type PriorityName = "urgent" | "high" | "normal" | "low";

// Ids 1–4 from most to least urgent (docs/clickup.md §11); the colours are the fake's choice.
const LEVELS: Record<PriorityId, { priority: PriorityName; color: string }> = {
  1: { priority: "urgent", color: "#f50000" },
  2: { priority: "high", color: "#ffcc00" },
  3: { priority: "normal", color: "#6fddff" },
  4: { priority: "low", color: "#d8d8d8" },
};

/** The priority object of tasks and history items: id and orderindex are strings (§11.1). */
export function priorityJson(id: PriorityId) {
  const level = LEVELS[id];
  return { id: String(id), priority: level.priority, color: level.color, orderindex: String(id) };
}

/** Accepts an id or a name; null clears the priority. */
export function toPriorityId(input: PriorityId | PriorityName | null): PriorityId | null {
  if (input === null) return null;
  if (typeof input === "number") {
    if (!(input in LEVELS)) throw new Error(`ClickUp fake: no priority ${input}`);
    return input;
  }
  const entry = Object.entries(LEVELS).find(([, level]) => level.priority === input);
  if (!entry) throw new Error(`ClickUp fake: no priority ${input}`);
  return Number(entry[0]) as PriorityId;
}
