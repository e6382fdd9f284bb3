import type { Sql } from "postgres";
import { type CaseSentiment, caseSentiments, NEGATIVE_CASE_AT } from "./case-sentiment.ts";

/*
 * Friction (docs/flow-metrics.md §14.3): a WIP case that is ageing (past the ageing rung of its ladder) or
 * stuck in its status, whose comments' sentiment is negative.
 */

export type Friction = CaseSentiment & { because: "ageing" | "stuck" };

/** What friction needs to know of a listed task: its case and the signals it carries. */
type Marked = {
  caseId: number;
  level?: { kind: "at_risk" | "ageing" };
  stuck?: unknown;
  friction?: Friction;
};

/** Sets `friction` on the tasks that are ageing or stuck with a negative sentiment; one query for all. */
export async function markFriction(sql: Sql, tasks: readonly Marked[]): Promise<void> {
  const because = (t: Marked) => (t.stuck ? "stuck" : t.level?.kind === "ageing" ? "ageing" : null);
  const candidates = tasks.filter((t) => because(t) !== null);
  const sentiments = await caseSentiments(
    sql,
    candidates.map((t) => t.caseId),
  );
  for (const t of candidates) {
    const s = sentiments.get(t.caseId);
    const why = because(t);
    if (s && why && s.sentiment <= NEGATIVE_CASE_AT) t.friction = { ...s, because: why };
  }
}
