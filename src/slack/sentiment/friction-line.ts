import type { Friction } from "../../flow/sentiment/friction.ts";

/** "−0.47": a sentiment with a real minus sign, two decimals. */
export const signedScore = (x: number) => (x < 0 ? `−${Math.abs(x).toFixed(2)}` : `+${x.toFixed(2)}`);

/** The digest's friction line (docs/flow-metrics.md §14.3); the text of no comment is ever shown. */
export function frictionLine(f: Friction): string {
  const over = f.comments === 1 ? "its last comment" : `the last ${f.comments} comments`;
  return `:thunder_cloud_and_rain: *Friction:* ${f.because} and its comments turned negative (${signedScore(f.sentiment)} over ${over})`;
}
