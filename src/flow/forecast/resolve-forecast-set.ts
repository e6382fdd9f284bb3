import type { Sql } from "postgres";
import { tagKey } from "../../sync/task-fields/canonical.ts";
import { loadLabelSources } from "../segments/label-sources.ts";
import { resolveSegment, type SegmentResolution } from "../segments/resolve-segment.ts";
import { statusKey } from "../stage-mapping.ts";
import type { ForecastScope } from "./forecast-scope.ts";

/*
 * `/flow forecast <set>` (docs/flow-metrics.md §12.6): what a typed name means. `dimension:value` is a
 * segment (§7's filter). A bare name is looked for as a list, then a bound folder, then a tag a case
 * carries, then a value of the project's segment dimension, each compared by key (§2).
 */

export type SetResolution =
  | { ok: true; scope: Exclude<ForecastScope, { kind: "project" }> }
  /** A `dimension:value` that names no segment: §7's answer. */
  | { ok: false; problem: "segment"; resolution: Exclude<SegmentResolution, { ok: true }> }
  /** A bare name nothing matches: what could be typed instead. */
  | { ok: false; problem: "unknown"; typed: string; lists: string[]; folders: string[] };

export async function resolveForecastSet(sql: Sql, projectId: number, typed: string): Promise<SetResolution> {
  const text = typed.trim();
  const colon = text.indexOf(":");
  if (colon > 0) {
    const resolution = await resolveSegment(sql, projectId, {
      dimension: text.slice(0, colon).trim(),
      value: text.slice(colon + 1).trim(),
    });
    return resolution.ok
      ? { ok: true, scope: { kind: "segment", scope: resolution.scope } }
      : { ok: false, problem: "segment", resolution };
  }
  const key = statusKey(text);
  const [sources, folders] = await Promise.all([
    loadLabelSources(sql, projectId),
    sql<{ id: number; name: string }[]>`
      select id::int, container_name as name from bindings
      where project_id = ${projectId} and container_type = 'folder' order by id`,
  ]);
  const list = sources.lists.find((l) => statusKey(l.name) === key);
  if (list) return { ok: true, scope: { kind: "list", listId: list.id, name: list.name } };
  const folder = folders.find((f) => statusKey(f.name) === key);
  if (folder) return { ok: true, scope: { kind: "folder", bindingId: folder.id, name: folder.name } };
  const tag = tagKey(text);
  if (tag !== null) {
    const [held] = await sql<{ held: boolean }[]>`
      select exists (select 1 from tracked_cases tc join bindings b on b.id = tc.binding_id
                     where b.project_id = ${projectId} and tc.tracked and tc.deleted_at is null
                       and tc.tags @> array[${tag}::text]) as held`;
    if (held?.held) return { ok: true, scope: { kind: "tag", tag } };
  }
  const segment = await resolveSegment(sql, projectId, { dimension: null, value: text });
  if (segment.ok) return { ok: true, scope: { kind: "segment", scope: segment.scope } };
  return {
    ok: false,
    problem: "unknown",
    typed: text,
    lists: sources.lists.map((l) => l.name),
    folders: folders.map((f) => f.name),
  };
}
