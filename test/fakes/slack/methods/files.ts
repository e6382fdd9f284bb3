import { errorMessage, fail, type MethodHandler, missingArgument, ok } from "../method-result.ts";
import { isObject, stringArg } from "../parse-body.ts";
import { messagesIn, nextId, nextTs } from "../state.ts";
import type { UploadRecord } from "../types.ts";

/** Path the upload POST goes to; the fake serves it itself (see routes/upload-route.ts). */
export const UPLOAD_PATH = "/upload/v1/";

export const filesGetUploadURLExternal: MethodHandler = ({ state, args, origin }) => {
  const filename = stringArg(args, "filename");
  if (!filename) return missingArgument("filename");
  const lengthArg = stringArg(args, "length");
  if (!lengthArg) return missingArgument("length");
  const length = Number(lengthArg);
  if (!Number.isInteger(length) || length <= 0) {
    return fail("invalid_arguments", [errorMessage("must be a positive integer", "/length")]);
  }
  const id = nextId(state, "F");
  // The SDK sends `alt_text` while Slack's docs name it `alt_txt`; accept either.
  const altText = stringArg(args, "alt_text") ?? stringArg(args, "alt_txt");
  const snippetType = stringArg(args, "snippet_type");
  state.uploads.set(id, {
    id,
    filename,
    declaredLength: length,
    completed: false,
    ...(altText ? { altText } : {}),
    ...(snippetType ? { snippetType } : {}),
  });
  // Absolute URL on the origin the call came in on, so the same injected fetch (or loopback port) reaches it.
  return ok({ upload_url: `${origin}${UPLOAD_PATH}${id}`, file_id: id });
};

export const filesCompleteUploadExternal: MethodHandler = ({ state, args, now }) => {
  const files = args.files;
  if (files === undefined) return missingArgument("files");
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every((f) => isObject(f) && typeof f.id === "string")
  ) {
    return fail("invalid_arguments", [errorMessage("must be a non-empty array of {id, title}", "/files")]);
  }
  const entries = files as { id: string; title?: unknown }[];
  const uploads: UploadRecord[] = [];
  for (const entry of entries) {
    const upload = state.uploads.get(entry.id);
    // Slack cannot complete a ticket whose bytes never arrived.
    if (!upload?.bytes) return fail("file_not_found");
    uploads.push(upload);
  }
  const channelId = stringArg(args, "channel_id") ?? stringArg(args, "channels")?.split(",")[0];
  if (channelId && !state.channels.has(channelId)) return fail("invalid_channel");
  const initialComment = stringArg(args, "initial_comment");
  const threadTs = stringArg(args, "thread_ts");
  const altText = stringArg(args, "alt_text") ?? stringArg(args, "alt_txt");
  entries.forEach((entry, i) => {
    const upload = uploads[i]!;
    upload.completed = true;
    upload.title = typeof entry.title === "string" ? entry.title : upload.filename;
    if (channelId) upload.channelId = channelId;
    if (initialComment) upload.initialComment = initialComment;
    if (threadTs) upload.threadTs = threadTs;
    if (altText) upload.altText = altText;
  });
  const described = uploads.map((upload) => ({
    id: upload.id,
    name: upload.filename,
    title: upload.title,
    mimetype: upload.contentType ?? "application/octet-stream",
    size: upload.bytes!.length,
  }));
  if (channelId) {
    // Slack shares the files as one message in the channel; the fake does so synchronously.
    messagesIn(state, channelId).push({
      channel: channelId,
      ts: nextTs(state, now),
      ...(initialComment ? { text: initialComment } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      files: described,
    });
  }
  return ok({ files: described.map(({ id, title }) => ({ id, title })) });
};
