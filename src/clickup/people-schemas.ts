import { z } from "zod";

// Time entries and goals (docs/clickup.md §18, §19). Lenient where the published schema and real answers
// disagree: ms values as strings or numbers, key results as objects or (per the schema) strings.

const id = z.union([z.string(), z.number()]).transform(String);
const ms = z
  .union([z.string(), z.number()])
  .transform(Number)
  .pipe(z.number().refine(Number.isFinite, "not a ms value"));
const optionalMs = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => {
    const n = v === null || v === undefined || v === "" ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : null;
  });

const timeEntrySchema = z.object({
  id,
  /** Absent or null for an entry on no task. */
  task: z.object({ id }).loose().nullish().catch(null),
  user: z
    .object({ id: z.union([z.number(), z.string()]).transform(Number) })
    .loose()
    .nullish(),
  start: ms,
  /** Negative while the timer runs (docs/clickup.md §18.3). */
  duration: ms,
});
export type ClickUpTimeEntry = z.output<typeof timeEntrySchema>;

export const timeEntriesResponseSchema = z.object({ data: z.array(timeEntrySchema).default([]) });

const goalSummary = z
  .object({
    id,
    name: z.string(),
    due_date: optionalMs,
    percent_completed: optionalMs,
    archived: z.boolean().nullish(),
    // What tells a changed goal in the list (docs/clickup.md §19.5).
    date_updated: optionalMs,
    last_update: optionalMs,
    key_result_count: optionalMs,
  })
  .loose();
export type ClickUpGoalSummary = z.output<typeof goalSummary>;

export const goalsResponseSchema = z.object({
  goals: z.array(goalSummary).default([]),
  folders: z
    .array(z.object({ goals: z.array(goalSummary).default([]) }).loose())
    .nullish()
    .transform((v) => v ?? []),
});

const keyResultSchema = z.object({
  id,
  name: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  type: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  percent_completed: optionalMs,
  completed: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  task_ids: z
    .array(id)
    .nullish()
    .transform((v) => v ?? []),
  /** The list ids the target is linked to (docs/clickup.md §19.3). */
  subcategory_ids: z
    .array(id)
    .nullish()
    .transform((v) => v ?? []),
});

export const goalResponseSchema = z.object({
  goal: goalSummary.extend({
    pretty_url: z.string().nullish(),
    // The schema types the entries as strings; real goals embed objects. Anything else is dropped.
    key_results: z
      .array(z.unknown())
      .nullish()
      .transform((v) =>
        (v ?? []).flatMap((k) => {
          const parsed = keyResultSchema.safeParse(k);
          return parsed.success ? [parsed.data] : [];
        }),
      ),
  }),
});
