import type { Sql } from "postgres";

/*
 * A case's sentiment (docs/flow-metrics.md §14.2): the recent trend of its comments' scores — the mean of
 * its last 5, each weighted by 2^(−Δ / 3 days) for Δ how much older it is than the newest.
 */

const LAST_COMMENTS = 5;
const HALF_LIFE_MS = 3 * 86_400_000;
/** A case is negative at or below this sentiment (§14.2). */
export const NEGATIVE_CASE_AT = -0.2;

export type CaseSentiment = {
  /** −1…+1. */
  sentiment: number;
  /** The comments it is taken from (at most 5). */
  comments: number;
};

/** The trend of a case's comments (any order, any number: the newest 5 count); null without comments. */
export function sentimentTrend(comments: readonly { score: number; at: number }[]): CaseSentiment | null {
  const last = [...comments].sort((a, b) => b.at - a.at).slice(0, LAST_COMMENTS);
  const newest = last[0];
  if (!newest) return null;
  let weighted = 0;
  let weights = 0;
  for (const c of last) {
    const w = 2 ** (-(newest.at - c.at) / HALF_LIFE_MS);
    weighted += w * c.score;
    weights += w;
  }
  return { sentiment: weighted / weights, comments: last.length };
}

/** The sentiment of each of the cases that has comments (cases without are absent). */
export async function caseSentiments(
  sql: Sql,
  caseIds: readonly number[],
): Promise<Map<number, CaseSentiment>> {
  if (caseIds.length === 0) return new Map();
  const rows = await sql<{ caseId: number; score: number; at: Date }[]>`
    select case_id::int as "caseId", score, commented_at as at from (
      select case_id, score, commented_at,
        row_number() over (partition by case_id order by commented_at desc, comment_id desc) as n
      from comment_sentiment where case_id = any(${caseIds as number[]}::bigint[])) s
    where n <= ${LAST_COMMENTS}`;
  return trendsOf(rows);
}

/**
 * The project's tracked cases with a negative sentiment — WIP, or finished in `from`–`to` — most negative
 * first, at most `limit`; and whether any case of the project has a scored comment at all.
 */
export async function mostNegativeCases(
  sql: Sql,
  projectId: number,
  opts: { from: Date; to: Date; limit: number },
): Promise<{ anyComments: boolean; cases: (CaseSentiment & NegativeCase)[] }> {
  const rows = await sql<({ score: number; at: Date } & NegativeCase)[]>`
    with c as (
      select fc.case_id, fc.finished_at, tc.name, tc.url, fc.current_status
      from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
      where fc.project_id = ${projectId} and tc.deleted_at is null
        and ((fc.started_at is not null and fc.finished_at is null)
          or (fc.finished_at >= ${opts.from}::timestamptz and fc.finished_at <= ${opts.to}::timestamptz))
    )
    select c.case_id::int as "caseId", c.name, c.url, c.current_status as status,
      c.finished_at is not null as finished, s.score, s.commented_at as at
    from c join lateral (
      select score, commented_at from comment_sentiment cs where cs.case_id = c.case_id
      order by commented_at desc, comment_id desc limit ${LAST_COMMENTS}) s on true`;
  const trends = trendsOf(rows);
  const byCase = new Map(rows.map((r) => [r.caseId, r]));
  const cases = [...trends]
    .filter(([, t]) => t.sentiment <= NEGATIVE_CASE_AT)
    .map(([caseId, t]) => {
      const r = byCase.get(caseId)!;
      return { caseId, name: r.name, url: r.url, status: r.status, finished: r.finished, ...t };
    })
    .sort((a, b) => a.sentiment - b.sentiment || a.caseId - b.caseId)
    .slice(0, opts.limit);
  return { anyComments: rows.length > 0, cases };
}

type NegativeCase = { caseId: number; name: string; url: string; status: string; finished: boolean };

function trendsOf(rows: readonly { caseId: number; score: number; at: Date }[]): Map<number, CaseSentiment> {
  const byCase = new Map<number, { score: number; at: number }[]>();
  for (const r of rows) {
    const list = byCase.get(r.caseId) ?? [];
    list.push({ score: r.score, at: r.at.getTime() });
    byCase.set(r.caseId, list);
  }
  const out = new Map<number, CaseSentiment>();
  for (const [caseId, comments] of byCase) {
    const trend = sentimentTrend(comments);
    if (trend) out.set(caseId, trend);
  }
  return out;
}
