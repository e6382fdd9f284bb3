export const TIMINGS_OFF_WARNING =
  "ClickUp did not return time in status, so history before this binding is missing. A Workspace owner or " +
  "admin can turn on the “Total time in Status” ClickApp (ClickUp › Settings › ClickApps); the next sync " +
  "then fills it in.";

export const NO_PUBLIC_URL_WARNING =
  "Live updates are off: flowbot has no public address for ClickUp webhooks. Set PUBLIC_URL and restart " +
  "flowbot; until then the binding only updates on the periodic sync.";

/** One warning text from several (the column holds one). */
export const joinWarnings = (warnings: (string | null)[]): string | null =>
  warnings.filter((w): w is string => Boolean(w)).join("\n") || null;
