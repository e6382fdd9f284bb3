import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpTask } from "../../clickup/schemas.ts";
import type { Logger } from "../../log/create-logger.ts";
import {
  type FieldDefinition,
  fieldDefinitionsOf,
  loadFieldDefinitions,
  parseCustomItemsResponse,
  saveFieldDefinitions,
  saveTaskTypes,
} from "../task-fields/index.ts";
import type { BindingContext } from "./load-binding-context.ts";
import type { BackfillDeps, BackfillProgress } from "./types.ts";

/** What the log says when a read fails; the backfill goes on without it. */
function readFailure(err: unknown) {
  return isClickUpError(err) ? { code: err.code, request: err.request } : { err };
}

/**
 * The custom field definitions and task types a backfill run refreshes (docs/flow-metrics.md §6.1): read
 * once per run, at its start, alongside the first task page — the binding's container's fields endpoint
 * and the workspace's custom task types, two requests however many tasks there are. Neither may fail the
 * backfill: a read ClickUp refuses, or one that cannot be saved, is logged and the cached rows stay.
 *
 * A folder's or a space's fields endpoint lists only the fields created on it, not those of its lists
 * (nor the workspace's); every task payload carries the definitions of every field its home list can use
 * (docs/clickup.md §13.1, §13.3), so the definitions the run's pages carry are added to the endpoint's,
 * at no request. They are saved, replacing the cached ones, once every page is stored: a field ClickUp
 * no longer has then leaves the cache and its values show as "(unknown field)". A run resumed from a
 * checkpoint did not see the pages before it, so it keeps the cached definitions it did not meet again.
 */
export function refreshDefinitions(
  deps: BackfillDeps,
  ctx: BindingContext,
  progress: BackfillProgress,
  log: Logger,
) {
  const { binding, connection } = ctx;
  const signal = deps.signal;
  const resumed = binding.backfillCheckpoint !== null;
  const seen = new Map<string, FieldDefinition>();

  const cached = loadFieldDefinitions(deps.db, binding.id).catch((err: unknown) => {
    log.warn({ err }, "could not read the cached custom field definitions");
    return [] as FieldDefinition[];
  });
  const listed: Promise<FieldDefinition[] | null> = deps.clickup
    .getContainerFields({ type: binding.containerType, id: binding.containerId }, { signal })
    .then(
      (fields) => fieldDefinitionsOf(fields),
      (err: unknown) => {
        log.warn(
          readFailure(err),
          "could not read the container's custom field definitions; the cached ones stay",
        );
        return null;
      },
    )
    .finally(() => {
      progress.requests += 1;
    });
  const taskTypes = deps.clickup
    .getCustomTaskTypes(connection.clickupTeamId, { signal })
    .finally(() => {
      progress.requests += 1;
    })
    .then(
      (items) =>
        saveTaskTypes(deps.db, connection.id, parseCustomItemsResponse({ custom_items: items }), now()),
      (err: unknown) =>
        log.warn(readFailure(err), "could not read the workspace's custom task types; the cached ones stay"),
    )
    .catch((err: unknown) => log.warn({ err }, "could not save the workspace's custom task types"));

  function now() {
    return new Date(deps.now());
  }

  /** Definitions to read the pages' values with: the endpoint's, and the cached ones it did not list. */
  const forPages = Promise.all([listed, cached]).then(([fresh, old]) => union(fresh ?? [], old));

  return {
    /** Settles once the reads are in; never rejects. */
    forPages,

    /** Notes the definitions a page's tasks carry. */
    saw(tasks: readonly ClickUpTask[]) {
      for (const task of tasks) {
        if (task.custom_fields.length === 0) continue;
        for (const d of fieldDefinitionsOf(task.custom_fields)) seen.set(d.fieldId, d);
      }
    },

    /** After every page is stored: the refreshed definitions replace the cached ones. Never rejects. */
    async save(): Promise<void> {
      await taskTypes;
      const [fresh, old] = await Promise.all([listed, cached]);
      // Without the endpoint's answer nothing says a cached field is gone: none is dropped.
      const keep = fresh === null || resumed ? old : [];
      const definitions = union(union(fresh ?? [], [...seen.values()]), keep);
      try {
        await saveFieldDefinitions(deps.db, binding.id, definitions, now());
      } catch (err) {
        log.warn({ err }, "could not save the custom field definitions; the cached ones stay");
      }
    },
  };
}

/** `first`, then those of `rest` whose field it does not have, by field id. */
function union(first: readonly FieldDefinition[], rest: readonly FieldDefinition[]): FieldDefinition[] {
  const byId = new Map(first.map((d) => [d.fieldId, d]));
  for (const d of rest) if (!byId.has(d.fieldId)) byId.set(d.fieldId, d);
  return [...byId.values()].sort((a, b) => (a.fieldId < b.fieldId ? -1 : a.fieldId > b.fieldId ? 1 : 0));
}
