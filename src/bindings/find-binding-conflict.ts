import { type Container, covers } from "./container.ts";

/**
 * Why `candidate` cannot be bound next to a project's existing bindings, or null when it can:
 * the same container twice, or one that overlaps an existing binding in either direction.
 */
export function findBindingConflict(candidate: Container, existing: Container[]): string | null {
  for (const bound of existing) {
    const label = `${bound.type} ${bound.path} (${bound.id})`;
    if (bound.type === candidate.type && bound.id === candidate.id) {
      return `This channel already binds ${label}.`;
    }
    if (covers(bound, candidate)) {
      return `This channel's binding of ${label} already covers it; nothing more to bind.`;
    }
    if (covers(candidate, bound)) {
      return `It would cover this channel's existing binding of ${label}: unbind that one first, then bind the larger container.`;
    }
  }
  return null;
}
