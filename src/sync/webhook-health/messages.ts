/** Shown with a binding (`/flow bindings`, `/flow status`) while its webhook keeps failing. */
export const webhookFailingWarning =
  "Live updates are failing: ClickUp keeps failing to deliver this binding's changes to flowbot, so they " +
  "arrive only with the periodic sync. Check that flowbot's PUBLIC_URL is reachable from the internet.";

/** The binding's warning with `line` added (once). */
export function withWarning(warning: string | null, line: string): string {
  const lines = (warning ?? "").split("\n").filter(Boolean);
  return lines.includes(line) ? lines.join("\n") : [...lines, line].join("\n");
}

/** The binding's warning without `line`; null when nothing is left. */
export function withoutWarning(warning: string | null, line: string): string | null {
  const lines = (warning ?? "").split("\n").filter((l) => l && l !== line);
  return lines.length > 0 ? lines.join("\n") : null;
}

/** The one channel message for a webhook that failed again after being reactivated. */
export function webhookFailingMessage(input: {
  bindings: string[];
  endpoint: string;
  reported: string;
  failCount: number;
  reconcileMinutes?: number;
}): string {
  const every = input.reconcileMinutes ? ` every ${input.reconcileMinutes} minutes` : "";
  return (
    `:warning: ClickUp keeps failing to deliver live updates for ${input.bindings.join(", ")} to flowbot: ` +
    `its webhook is ${input.reported} again after flowbot reactivated it (${input.failCount} events dropped). ` +
    `flowbot reactivated it once more; until deliveries succeed, changes arrive only with the periodic sync${every}. ` +
    `To fix: make sure ${input.endpoint} is reachable from the internet and answers ClickUp with a 2xx ` +
    "(PUBLIC_URL, proxy or firewall). This is said once; flowbot keeps checking hourly."
  );
}
