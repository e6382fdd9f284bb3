import { describe, expect, it } from "vitest";
import { PERCENTILES } from "../../src/flow/metrics/index.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

const database = useTestDatabase();

/** The nearest rank ⌈p/100 × n⌉ (1-based), in integer arithmetic: no floating point to round it up. */
const nearestRank = (p: number, n: number) => Math.floor((p * n + 99) / 100);

describe("nearest-rank percentiles are Postgres's percentile_disc (docs/flow-metrics.md §4.8)", () => {
  it("picks rank ⌈p·n⌉ of 1..n for every n up to 500 and a few large ones, at every level flowbot reports", async () => {
    const sizes = [...Array.from({ length: 500 }, (_, i) => i + 1), 999, 1000, 1001, 10_000, 99_999, 100_000];
    const rows = await database.sql<{ n: number; picks: number[] }[]>`
      select s.n, (select percentile_disc(${PERCENTILES.map((p) => p / 100)}::float8[]) within group (order by v)
                   from generate_series(1, s.n) as v) as picks
      from unnest(${sizes}::int[]) as s(n)`;
    const wrong = rows.filter((r) => r.picks.some((pick, i) => pick !== nearestRank(PERCENTILES[i]!, r.n)));
    expect(wrong).toEqual([]);
    expect(rows).toHaveLength(sizes.length);
    // The worked example of the spec: seven values.
    const [seven] = rows.filter((r) => r.n === 7);
    expect(seven!.picks).toEqual([4, 5, 6, 7]);
  });

  it("is null with no values", async () => {
    const [row] = await database.sql<{ picks: number[] | null }[]>`
      select percentile_disc(array[0.5, 0.95]::float8[]) within group (order by v) as picks
      from (select 1 as v where false) x`;
    expect(row!.picks).toBeNull();
  });
});
