// wink-sentiment ships no types; this is the part of its API flowbot calls (src/flow/sentiment/score-comment.ts).
declare module "wink-sentiment" {
  export interface WinkToken {
    value: string;
    tag: "word" | "emoji" | "emoticon" | "hashtag" | "punctuation" | string;
    /** AFINN-165 score of the word, emoji or emoticon, already negated when `negation` is set. */
    score?: number;
    /** A negation ("not", "n't", "never"…) is one or two words before it. */
    negation?: boolean;
    /** The first word of a scored two-word phrase. */
    grouped?: number;
  }
  export interface WinkResult {
    score: number;
    normalizedScore: number;
    tokenizedPhrase?: WinkToken[];
  }
  export default function sentiment(phrase: string): WinkResult;
}
