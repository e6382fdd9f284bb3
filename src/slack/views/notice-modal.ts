import type { View } from "@slack/types";
import { modal, section } from "./block-kit.ts";

/** A modal that only says something: a result, a refusal, or a problem to fix. */
export function noticeModal(title: string, text: string, close = "Close"): View {
  return modal({ title, close, blocks: [section(text)] });
}
