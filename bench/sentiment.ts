// Scores the labelled work comments in test/sentiment/labelled-comments.json with flowbot's comment
// scorer (src/flow/sentiment/score-comment.ts: wink-sentiment plus the domain lexicon) and reports how
// often its label (negative, neutral, positive) is right, and how many of the negative comments it calls
// negative — the figures the library was chosen by (docs/flow-metrics.md §14.1).
//
//   npm run bench:sentiment
//
// The set is split by position: even entries are the half the domain lexicon was tuned on, odd entries
// the held-out half it never saw. `accuracy` and `negative_recall` are over the whole set; `held_out`
// is the honest figure for comments the lexicon was not written against. `wink_alone` scores the same
// set with wink-sentiment's own lexicon, to show what the domain words add. The last line is the JSON.
import { readFileSync } from "node:fs";
import winkSentiment from "wink-sentiment";
import { labelOf, type SentimentLabel, scoreComment } from "../src/flow/sentiment/score-comment.ts";

type Labelled = { text: string; label: SentimentLabel };

const labelled = JSON.parse(
  readFileSync(new URL("../test/sentiment/labelled-comments.json", import.meta.url), "utf8"),
) as Labelled[];

function figures(rows: readonly Labelled[], score: (text: string) => number) {
  let right = 0;
  let negatives = 0;
  let negativesFound = 0;
  const confusion: Record<string, number> = {};
  for (const row of rows) {
    const said = labelOf(score(row.text));
    if (said === row.label) right += 1;
    if (row.label === "negative") {
      negatives += 1;
      if (said === "negative") negativesFound += 1;
    }
    const key = `${row.label}->${said}`;
    confusion[key] = (confusion[key] ?? 0) + 1;
  }
  const round = (x: number) => Number(x.toFixed(3));
  return {
    comments: rows.length,
    accuracy: round(right / rows.length),
    negative_recall: round(negativesFound / negatives),
    confusion,
  };
}

const tune = labelled.filter((_, i) => i % 2 === 0);
const heldOut = labelled.filter((_, i) => i % 2 === 1);
const winkAlone = (text: string) => Math.tanh(winkSentiment(text).normalizedScore / 2);
const all = figures(labelled, scoreComment);
const started = performance.now();
for (const row of labelled) scoreComment(row.text);
const perCommentUs = ((performance.now() - started) * 1000) / labelled.length;

console.log(
  `scored ${labelled.length} labelled comments: accuracy ${all.accuracy}, negative recall ${all.negative_recall}`,
);
console.log(
  JSON.stringify({
    library: "wink-sentiment@5 + flowbot domain lexicon",
    accuracy: all.accuracy,
    negative_recall: all.negative_recall,
    comments: all.comments,
    labels: Object.fromEntries(
      (["negative", "neutral", "positive"] as const).map((l) => [
        l,
        labelled.filter((r) => r.label === l).length,
      ]),
    ),
    tune_half: figures(tune, scoreComment),
    held_out_half: figures(heldOut, scoreComment),
    wink_alone: {
      all: figures(labelled, winkAlone),
      held_out_half: figures(heldOut, winkAlone),
    },
    confusion: all.confusion,
    per_comment_us: Number(perCommentUs.toFixed(1)),
  }),
);
