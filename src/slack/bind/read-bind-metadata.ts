import { z } from "zod";
import type { Container } from "../../bindings/container.ts";
import type { BindMetadata } from "./bind-modal.ts";
import { NO_FOLDER } from "./load-bind-choices.ts";

/** ClickUp container ids as flowbot has seen them: short strings of letters, digits, - and _. */
export const clickUpId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const containerType = z.enum(["space", "folder", "list"]);

const containerSchema = z.object({
  type: containerType,
  id: clickUpId,
  name: z.string().max(500),
  spaceId: clickUpId,
  folderId: clickUpId.nullable(),
  path: z.string().max(2000),
});

const bindSchema = z.object({
  spaceId: clickUpId.optional(),
  folderId: z.union([z.literal(NO_FOLDER), clickUpId]).optional(),
  listId: clickUpId.optional(),
  container: containerSchema.optional(),
});

const confirmSchema = z.object({ container: z.object({ type: containerType, id: clickUpId }) });

function json(raw: string | undefined): unknown {
  try {
    return JSON.parse(raw ?? "");
  } catch {
    return undefined;
  }
}

/**
 * The drill-down modal's private_metadata. It travels through Slack, so it is read with a schema; a
 * value that does not fit is treated as no selection at all.
 */
export function readBindMetadata(raw: string | undefined): BindMetadata {
  const parsed = bindSchema.safeParse(json(raw));
  return parsed.success ? (parsed.data as BindMetadata) : {};
}

/** The confirm modal's container (type and id only), or undefined when it does not fit. */
export function readConfirmMetadata(raw: string | undefined): Pick<Container, "type" | "id"> | undefined {
  const parsed = confirmSchema.safeParse(json(raw));
  return parsed.success ? parsed.data.container : undefined;
}
