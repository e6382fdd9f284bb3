import type { IssueType, ReporterOptions } from "knip";

/** Where knip reports an unused export (value or type, named directly or through a namespace). */
const EXPORT_ISSUES: IssueType[] = ["exports", "types", "nsExports", "nsTypes"];

/**
 * knip preprocessor: drops the findings knip.ts lists in `pendingRemovals` (file → export names), each
 * on its own, and fails when a listed one is no longer found, naming it, so the list never outlives
 * the code it excuses.
 */
export default function skipPendingRemovals(options: ReporterOptions): ReporterOptions {
  const { pendingRemovals = {} } = JSON.parse(options.preprocessorOptions || "{}") as {
    pendingRemovals?: Record<string, string[]>;
  };
  const stale: string[] = [];
  for (const [file, symbols] of Object.entries(pendingRemovals)) {
    for (const symbol of symbols) {
      let found = false;
      for (const type of EXPORT_ISSUES) {
        // Issues are keyed by the file's path relative to the project root.
        const issues = options.issues[type][file];
        if (!issues?.[symbol]) continue;
        delete issues[symbol];
        if (Object.keys(issues).length === 0) delete options.issues[type][file];
        options.counters[type] -= 1;
        found = true;
      }
      if (!found) stale.push(`${file}: ${symbol}`);
    }
  }
  if (stale.length > 0) {
    throw new Error(
      `knip.ts lists these as pending removal, but knip no longer finds them unused; delete them from pendingRemovals:\n  ${stale.join("\n  ")}`,
    );
  }
  return options;
}
