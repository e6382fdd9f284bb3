import winkSentiment, { type WinkToken } from "wink-sentiment";
import { DOMAIN_LEXICON } from "./domain-lexicon.ts";

/*
 * One comment's sentiment (docs/flow-metrics.md §14.1): wink-sentiment's AFINN-165 scores of its words,
 * emojis and emoticons (with its negation and two-word phrases), the domain lexicon's words in place of
 * theirs, averaged over the tokens that carry a score, damped for long comments as wink does, made
 * stronger by up to three "!", and mapped onto −1…+1. The text is read here and nowhere else: callers
 * keep only the number.
 */

/** At or below this a comment counts as negative, at or above its opposite positive (§14.1). */
const NEGATIVE_AT = -0.05;
const POSITIVE_AT = 0.05;
/** Each "!" (at most three) makes the score 15% stronger, as emphasis does in VADER. */
const EMPHASIS_PER_MARK = 0.15;
const EMPHASIS_MARKS_MAX = 3;
/** wink's assumed sentence length: longer comments are damped by √(words / 15). */
const AVERAGE_WORDS = 15;

export type SentimentLabel = "negative" | "neutral" | "positive";

/** A comment's score in −1…+1 (0 for one with no sentiment-bearing word). */
export function scoreComment(text: string): number {
  const tokens = winkSentiment(text).tokenizedPhrase ?? [];
  let sum = 0;
  let scored = 0;
  let words = 0;
  let marks = 0;
  for (const token of tokens) {
    if (token.tag === "punctuation") {
      if (token.value === "!") marks += 1;
      continue;
    }
    if (token.tag === "hashtag") continue;
    words += token.grouped ? 2 : 1;
    const score = tokenScore(token);
    if (score !== 0) {
      sum += score;
      scored += 1;
    }
  }
  if (scored === 0) return 0;
  const mean = sum / scored / Math.sqrt(Math.max(1, words / AVERAGE_WORDS));
  const emphasis = 1 + EMPHASIS_PER_MARK * Math.min(marks, EMPHASIS_MARKS_MAX);
  return Math.tanh((mean * emphasis) / 2);
}

export function labelOf(score: number): SentimentLabel {
  if (score <= NEGATIVE_AT) return "negative";
  if (score >= POSITIVE_AT) return "positive";
  return "neutral";
}

function tokenScore(token: WinkToken): number {
  if (token.tag === "word" && !token.grouped) {
    const domain = DOMAIN_LEXICON[token.value.toLowerCase()];
    if (domain !== undefined) return token.negation ? -domain : domain;
  }
  return token.score ?? 0;
}
