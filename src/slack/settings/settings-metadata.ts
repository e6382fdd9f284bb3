import { z } from "zod";

/** What every settings modal carries in private_metadata: the project and channel it was opened for. */
const metadataSchema = z.object({ projectId: z.number().int().positive(), channelId: z.string().min(1) });

export type SettingsMetadata = z.output<typeof metadataSchema>;

/**
 * A settings modal's private_metadata, or undefined when it is not what flowbot wrote. It travelled
 * through Slack, so callers still compare it with the recorded view (src/slack/access/).
 */
export function readSettingsMetadata(raw: string): SettingsMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
