/**
 * Work-comment words whose AFINN-165 score (wink-sentiment's lexicon) is missing or says the wrong thing
 * for a task comment, on AFINN's scale (−5…+5). Each replaces wink's score for that word and is negated
 * like it ("not fixed" counts −2). The list was made from the tuning half of test/sentiment's labelled
 * comments and general work vocabulary — not from the held-out half (docs/flow-metrics.md §14.1) — so
 * keep additions to words any team writes, never phrases from the test set.
 */
export const DOMAIN_LEXICON: Readonly<Record<string, number>> = {
  // Approval and delivery.
  lgtm: 3,
  approved: 2,
  shipped: 2,
  merged: 1,
  passed: 2,
  verified: 1,
  resolved: 2,
  fixed: 2,
  works: 2,
  unblocks: 2,
  // Trouble in the work itself.
  blocked: -2,
  blocker: -2,
  stuck: -2,
  broke: -3,
  broken: -3,
  crash: -2,
  crashes: -2,
  failing: -2,
  flaky: -2,
  freezes: -2,
  outage: -2,
  regressed: -2,
  regression: -2,
  rejected: -2,
  tanked: -3,
  timeout: -2,
  timeouts: -2,
  dragging: -2,
  complaints: -2,
  // Ordinary in a task ("when the list is empty"), not a feeling.
  empty: 0,
};
