import type { Sql } from "postgres";
import { loadLabelSources } from "../../flow/segments/label-sources.ts";
import { loadSegmentDimension } from "../../flow/segments/segment-settings.ts";
import { describeSegments } from "./segments-modal.ts";

/** The project's segment dimension as a line for the `/flow settings` confirmation. */
export async function segmentsLine(sql: Sql, projectId: number): Promise<string> {
  const [dimension, { fields }] = await Promise.all([
    loadSegmentDimension(sql, projectId),
    loadLabelSources(sql, projectId),
  ]);
  return `\n${describeSegments(dimension, fields)} Change them with \`/flow settings segments\`.`;
}
