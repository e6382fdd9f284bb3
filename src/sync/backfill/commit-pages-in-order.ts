import pLimit from "p-limit";

export interface OrderedCommitSteps<P, F> {
  /** The pages in commit order. The next one is asked for as soon as one arrives, so it can load ahead. */
  pages: AsyncIterator<P>;
  /** Whatever a page needs besides itself; started when the page is taken, alongside other pages' work. */
  fetch(page: P): Promise<F>;
  /**
   * Writes the page and makes it durable. It must await `inTurn()` just before its commit point: that
   * resolves once every earlier page is committed (and `committed` has run for it), and throws instead
   * when an earlier page failed or the signal aborted, so nothing is committed out of order.
   */
  commit(page: P, fetched: F, inTurn: () => Promise<void>): Promise<void>;
  /** Runs after each page's commit, in page order; throwing stops the pipeline like a failed commit. */
  committed(page: P): void | Promise<void>;
  /** Pages whose commits run at once; slots go to pages in page order. */
  commitsAtOnce: number;
  /**
   * Pages taken and fetching or waiting for a commit slot, beyond those committing. No further page is
   * taken while this many wait: memory stays bounded, and the source is not read past a slow commit.
   */
  waiting: number;
  /** Pages sharing a key never commit at once: the later one starts writing after the earlier commits. */
  keys?(page: P): Iterable<string>;
  /** The first page's fetch settles before the second page's starts (its answer may shape the rest). */
  firstFetchAlone?: boolean;
  /** Aborting stops the pipeline: no page commits after it, and the run rejects with the reason. */
  signal?: AbortSignal;
}

interface InFlight {
  keys: ReadonlySet<string>;
  done: Promise<void>;
}

/**
 * Fetches pages concurrently and commits them strictly in page order. The first failure (of the source,
 * a fetch, a commit or `committed`) stops the pipeline: no later page commits, no further page is taken,
 * and the run rejects with that failure once every page it started has settled.
 */
export async function commitPagesInOrder<P, F>(steps: OrderedCommitSteps<P, F>): Promise<void> {
  const commits = orderedCommits(steps);
  try {
    await feedPages(steps, commits);
    await commits.allCommitted();
  } finally {
    await commits.settled();
  }
}

/** Takes pages from the source one by one, fetching each and queueing it for its commit. */
async function feedPages<P, F>(steps: OrderedCommitSteps<P, F>, commits: OrderedCommits<P, F>) {
  let upcoming = askForPage(steps.pages);
  for (let taken = 0; ; taken += 1) {
    // A failure fails every later page: stop reading the source as soon as it is known.
    commits.throwIfFailed();
    const current = await upcoming;
    if (current.done) return;
    upcoming = askForPage(steps.pages);
    await commits.room();
    const fetched = observed(steps.fetch(current.value));
    if (taken === 0 && steps.firstFetchAlone) await fetched;
    steps.signal?.throwIfAborted();
    commits.add(current.value, fetched);
  }
}

type OrderedCommits<P, F> = ReturnType<typeof orderedCommits<P, F>>;

/**
 * The pages between being taken and being committed. Each page's commit waits for the one before it
 * (which waited for its own predecessor), so the chain commits in page order.
 */
function orderedCommits<P, F>(steps: OrderedCommitSteps<P, F>) {
  // p-limit starts queued functions in the order they were queued, which the slot rule below needs.
  const slots = pLimit(steps.commitsAtOnce);
  const inFlight: InFlight[] = [];
  let last: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;

  function add(page: P, fetched: Promise<F>) {
    const earlier = last;
    const keys = new Set(steps.keys?.(page) ?? []);
    const overlaps = inFlight.some((other) => sharesKey(other.keys, keys));
    const inTurn = async () => {
      await earlier;
      steps.signal?.throwIfAborted();
    };
    // The slot is taken now, in page order, and held while the page waits for its fetch (and for an
    // overlapping page): an earlier page is never left without a slot while later ones wait for it.
    const written = slots(async () => {
      if (overlaps) await earlier;
      const value = await fetched;
      steps.signal?.throwIfAborted();
      await steps.commit(page, value, inTurn);
    });
    const done = written.then(() => steps.committed(page));
    done.catch((error: unknown) => {
      failure ??= { error };
    });
    track({ keys, done });
    last = done;
  }

  function track(entry: InFlight) {
    inFlight.push(entry);
    entry.done.then(
      () => inFlight.splice(inFlight.indexOf(entry), 1),
      () => {}, // a failed page stays listed: `room` then rethrows its failure
    );
  }

  function throwIfFailed() {
    if (failure) throw failure.error;
  }

  return {
    add,
    throwIfFailed,
    /** Resolves once fewer pages than the pipeline holds are in flight; rejects if one of them failed. */
    async room() {
      while (inFlight.length >= steps.commitsAtOnce + steps.waiting) await inFlight[0]!.done;
    },
    async allCommitted() {
      await last.catch(() => {});
      throwIfFailed();
    },
    /** Waits for every page started to commit or fail, so nothing is left running. */
    async settled() {
      await Promise.allSettled(inFlight.map((entry) => entry.done));
    },
  };
}

function askForPage<P>(pages: AsyncIterator<P>): Promise<IteratorResult<P>> {
  return observed(pages.next());
}

/** Marks a promise as handled: it is awaited later, and an early rejection must not go unhandled meanwhile. */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function sharesKey(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const key of b) if (a.has(key)) return true;
  return false;
}
