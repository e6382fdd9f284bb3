import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commitPagesInOrder } from "../../src/sync/backfill/commit-pages-in-order.ts";

interface Page {
  index: number;
  keys: string[];
}

type Step = "source" | "fetch" | "commit" | "committed";

interface Scenario {
  pages: number;
  commitsAtOnce: number;
  waiting: number;
  /** Keys per page (pages sharing one must not commit at once); none when absent. */
  keys?: string[][];
  firstFetchAlone?: boolean;
  /** The step of one page that throws. */
  fail?: { step: Step; at: number };
  /** Aborts the signal as this step of this page begins. */
  abort?: { step: "fetch" | "committed"; at: number };
}

/**
 * Runs the pipeline with every asynchronous step (a page arriving, a fetch, a write) completed in the
 * order fast-check's scheduler picks, and records what happened in logical time.
 */
async function runScenario(s: fc.Scheduler, scenario: Scenario) {
  let now = 0;
  const tick = () => ++now;
  const controller = new AbortController();
  const seen = {
    taken: [] as number[],
    fetchStarted: [] as number[],
    fetchSettledAt: new Map<number, number>(),
    writeStartedAt: new Map<number, number>(),
    committed: [] as number[],
    committedAt: new Map<number, number>(),
    afterCommit: [] as number[],
    fetchedValues: new Map<number, number>(),
    writing: 0,
    maxWriting: 0,
    /** Pages whose fetch started and whose `committed` has not run yet. */
    open: 0,
    maxOpen: 0,
    /** Fetches and writes started when the failing step threw, and when the signal aborted. */
    atFailure: null as { fetches: number; writes: number } | null,
    atAbort: null as { fetches: number; writes: number } | null,
  };
  const started = () => ({ fetches: seen.fetchStarted.length, writes: seen.writeStartedAt.size });
  const failsAt = (step: Step, index: number) => {
    if (scenario.fail?.step !== step || scenario.fail.at !== index) return;
    seen.atFailure = started();
    throw new Error(`${step} ${index} failed`);
  };
  const abortsAt = (step: "fetch" | "committed", index: number) => {
    if (scenario.abort?.step !== step || scenario.abort.at !== index) return;
    seen.atAbort = started();
    controller.abort(new Error("aborted"));
  };

  async function* pages(): AsyncGenerator<Page> {
    for (let index = 0; index < scenario.pages; index += 1) {
      await s.schedule(Promise.resolve(), `page ${index} arrives`);
      failsAt("source", index);
      seen.taken.push(index);
      yield { index, keys: scenario.keys?.[index] ?? [] };
    }
  }

  const run = commitPagesInOrder<Page, number>({
    pages: pages(),
    async fetch(page) {
      seen.fetchStarted.push(page.index);
      seen.open += 1;
      seen.maxOpen = Math.max(seen.maxOpen, seen.open);
      abortsAt("fetch", page.index);
      await s.schedule(Promise.resolve(), `fetch ${page.index}`);
      seen.fetchSettledAt.set(page.index, tick());
      failsAt("fetch", page.index);
      return page.index * 10;
    },
    async commit(page, fetched, inTurn) {
      seen.fetchedValues.set(page.index, fetched);
      seen.writeStartedAt.set(page.index, tick());
      seen.writing += 1;
      seen.maxWriting = Math.max(seen.maxWriting, seen.writing);
      try {
        await s.schedule(Promise.resolve(), `write ${page.index}`);
        failsAt("commit", page.index);
        await inTurn();
        seen.committed.push(page.index);
        seen.committedAt.set(page.index, tick());
      } finally {
        seen.writing -= 1;
      }
    },
    committed(page) {
      seen.afterCommit.push(page.index);
      seen.open -= 1;
      abortsAt("committed", page.index);
      failsAt("committed", page.index);
    },
    commitsAtOnce: scenario.commitsAtOnce,
    waiting: scenario.waiting,
    keys: scenario.keys ? (page) => page.keys : undefined,
    firstFetchAlone: scenario.firstFetchAlone,
    signal: controller.signal,
  });
  const outcome = await s.waitFor(
    run.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  return { seen, outcome };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const shape = {
  pages: fc.integer({ min: 0, max: 12 }),
  commitsAtOnce: fc.integer({ min: 1, max: 3 }),
  waiting: fc.integer({ min: 0, max: 4 }),
};

/** A scenario of at least one page, with fields built from an arbitrary index of one of its pages. */
function withOnePage<X>(extra: (at: fc.Arbitrary<number>) => fc.Arbitrary<X>) {
  return fc
    .integer({ min: 1, max: 12 })
    .chain((pages) =>
      fc
        .tuple(shape.commitsAtOnce, shape.waiting, extra(fc.integer({ min: 0, max: pages - 1 })))
        .map(([commitsAtOnce, waiting, fields]) => ({ pages, commitsAtOnce, waiting, ...fields })),
    );
}

describe("commitPagesInOrder", () => {
  it("commits every page in page order, whatever order fetches and writes finish in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.record({
          ...shape,
          keys: fc.array(fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 2 }), {
            minLength: 12,
            maxLength: 12,
          }),
          firstFetchAlone: fc.boolean(),
        }),
        async (s, scenario) => {
          const { seen, outcome } = await runScenario(s, scenario);
          expect(outcome).toEqual({ ok: true });
          expect(seen.committed).toEqual(range(scenario.pages));
          expect(seen.afterCommit).toEqual(range(scenario.pages));
          for (const [index, value] of seen.fetchedValues) expect(value).toBe(index * 10);
        },
      ),
    );
  });

  it("keeps to its bounds: commits at once, pages held, pages sharing a key", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.record({
          ...shape,
          keys: fc.array(fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 2 }), {
            minLength: 12,
            maxLength: 12,
          }),
          firstFetchAlone: fc.boolean(),
        }),
        async (s, scenario) => {
          const { seen } = await runScenario(s, scenario);
          expect(seen.maxWriting).toBeLessThanOrEqual(scenario.commitsAtOnce);
          expect(seen.maxOpen).toBeLessThanOrEqual(scenario.commitsAtOnce + scenario.waiting);
          // A page sharing a key with an earlier one starts writing only after that one committed.
          for (const later of range(scenario.pages))
            for (const earlier of range(later))
              if (scenario.keys[later]!.some((k) => scenario.keys[earlier]!.includes(k)))
                expect(seen.writeStartedAt.get(later)!).toBeGreaterThan(seen.committedAt.get(earlier)!);
        },
      ),
    );
  });

  it("starts the second page's fetch only after the first one settled, when asked to", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        shape.commitsAtOnce,
        shape.waiting,
        async (s, commitsAtOnce, waiting) => {
          const order: string[] = [];
          const run = commitPagesInOrder<number, void>({
            pages: (async function* () {
              for (const page of range(4)) yield await s.schedule(Promise.resolve(page));
            })(),
            async fetch(page) {
              order.push(`start ${page}`);
              await s.schedule(Promise.resolve());
              order.push(`end ${page}`);
            },
            commit: async (_page, _fetched, inTurn) => inTurn(),
            committed: () => {},
            commitsAtOnce,
            waiting,
            firstFetchAlone: true,
          });
          await s.waitFor(run);
          expect(order.indexOf("start 1")).toBeGreaterThan(order.indexOf("end 0"));
        },
      ),
    );
  });

  it("stops at the first failure: the run rejects with it and no later page commits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        withOnePage((at) =>
          fc.record({
            fail: fc.record({ step: fc.constantFrom<Step>("source", "fetch", "commit", "committed"), at }),
          }),
        ),
        async (s, scenario) => {
          const { seen, outcome } = await runScenario(s, scenario);
          const { step, at } = scenario.fail;
          expect(outcome).toMatchObject({ ok: false, error: { message: `${step} ${at} failed` } });
          // Pages before the failed one do not depend on it and commit; none after it does. A page
          // whose `committed` throws was committed itself.
          const committedThrough = step === "committed" ? at + 1 : at;
          expect(seen.committed).toEqual(range(committedThrough));
          expect(seen.afterCommit).toEqual(range(step === "committed" ? at + 1 : at));
          // No page is taken further than the pipeline holds past the failed one, and once a failure is
          // known (a commit's at once; a fetch's when its page's turn to write comes) at most the page
          // already on its way is.
          expect(seen.fetchStarted.length).toBeLessThanOrEqual(
            at + 1 + scenario.commitsAtOnce + scenario.waiting,
          );
          if (step === "commit" || step === "committed")
            expect(seen.fetchStarted.length).toBeLessThanOrEqual(seen.atFailure!.fetches + 1);
        },
      ),
    );
  });

  it("stops when the signal aborts: the run rejects with its reason and no page commits after it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        withOnePage((at) =>
          fc.record({
            abort: fc.record({ step: fc.constantFrom<"fetch" | "committed">("fetch", "committed"), at }),
          }),
        ),
        async (s, scenario) => {
          const { seen, outcome } = await runScenario(s, scenario);
          const { step, at } = scenario.abort;
          const isLast = at === scenario.pages - 1;
          if (step === "committed") {
            // Aborted as page `at` reported its commit: exactly the pages through it are committed.
            expect(seen.committed).toEqual(range(at + 1));
            // Aborting after the last page's commit leaves nothing to stop.
            if (isLast) expect(outcome).toEqual({ ok: true });
            else expect(outcome).toMatchObject({ ok: false, error: { message: "aborted" } });
          } else {
            // Aborted while page `at` was fetched: it and every later page are not committed.
            expect(seen.committed).toEqual(range(seen.committed.length));
            expect(seen.committed.length).toBeLessThanOrEqual(at);
            expect(outcome).toMatchObject({ ok: false, error: { message: "aborted" } });
          }
          // Once aborted, no page starts writing, and at most the page already on its way is fetched.
          expect(seen.writeStartedAt.size).toBe(seen.atAbort!.writes);
          expect(seen.fetchStarted.length).toBeLessThanOrEqual(seen.atAbort!.fetches + 1);
        },
      ),
    );
  });

  it("fetches later pages while an earlier one is still being committed", async () => {
    // Page 0's write holds until page 3's fetch has started: a pipeline that took pages one at a time
    // would never get there.
    let release: () => void = () => {};
    const page3Fetched = new Promise<void>((resolve) => {
      release = resolve;
    });
    const committed: number[] = [];
    await commitPagesInOrder<number, void>({
      pages: (async function* () {
        yield* range(6);
      })(),
      fetch: async (page) => {
        if (page === 3) release();
      },
      async commit(page, _fetched, inTurn) {
        if (page === 0) await page3Fetched;
        await inTurn();
        committed.push(page);
      },
      committed: () => {},
      commitsAtOnce: 2,
      waiting: 2,
    });
    expect(committed).toEqual(range(6));
  });
});
