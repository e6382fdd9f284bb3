import { z } from "zod";
import { labelOf, type SentimentLabel, scoreComment } from "../../flow/sentiment/score-comment.ts";
import { MAX_ID_LENGTH } from "../apply/parse-delivery.ts";
import { isStorableTime } from "../storable-time.ts";

/** What flowbot keeps of a comment (docs/clickup.md §16.6): never its text. */
export type ScoredComment = {
  commentId: string;
  authorId: number | null;
  /** The comment's own time (ms), also for an edit. */
  at: number;
  /** When this version of it was written (ms): an edit's webhook time, a backfill's read time. */
  versionAt: number;
  score: number;
  label: SentimentLabel;
};

const commentJson = z.looseObject({
  // Longer than any ClickUp id, it could not be stored (src/sync/apply/parse-delivery.ts: MAX_ID_LENGTH).
  id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(MAX_ID_LENGTH)),
  comment_text: z.string().nullish(),
  comment: z.array(z.looseObject({ text: z.string().nullish() })).nullish(),
  user: z.looseObject({ id: z.union([z.number(), z.string()]).nullish() }).nullish(),
  date: z.union([z.string(), z.number()]).transform(Number),
});

/**
 * Scores a comment as ClickUp sends it — a REST comment or the `comment` object of a webhook history item
 * (docs/clickup.md §16.2, §16.5) — and returns only the number with the comment's id, author and time; the
 * text goes no further. Null for something that is not a readable comment. `versionAt` is when this
 * version was written (a webhook item's date, or the time of a REST read); it is also the comment's time
 * when the comment has no readable date of its own.
 */
export function scoredComment(raw: unknown, versionAt: number): ScoredComment | null {
  const parsed = commentJson.safeParse(raw);
  if (!parsed.success) return null;
  const c = parsed.data;
  // Out-of-range times are unreadable: stored, they would fail the write (src/sync/storable-time.ts).
  if (!isStorableTime(versionAt)) return null;
  const at = isStorableTime(c.date) ? c.date : versionAt;
  // The plain text; the rich-text blocks hold the same words when it is missing.
  const text = c.comment_text ?? (c.comment ?? []).map((b) => b.text ?? "").join("");
  const author = c.user?.id === undefined || c.user?.id === null ? null : Number(c.user.id);
  const score = scoreComment(text);
  return {
    commentId: c.id,
    authorId: author !== null && Number.isSafeInteger(author) ? author : null,
    at,
    versionAt,
    score,
    label: labelOf(score),
  };
}
