import type { ClickUpTimeInStatus } from "../../clickup/schemas.ts";

export interface TimingValues {
  caseId: number;
  statusName: string;
  statusType: string | null;
  statusOrderindex: number | null;
  totalMinutes: number;
  since: Date;
  isCurrent: boolean;
}

/**
 * status_timings rows for one case: one per status in ClickUp's aggregate (docs/clickup.md §6.2), the current
 * one flagged. Entries without a `since` cannot be placed in time and are left out.
 */
export function timingValues(
  caseId: number,
  tis: ClickUpTimeInStatus,
  current: { type: string; orderindex: number | null },
): TimingValues[] {
  const currentName = tis.current_status?.status ?? null;
  const rows = new Map<string, TimingValues>();
  for (const h of tis.status_history) {
    if (h.total_time.since === null) continue;
    rows.set(h.status, {
      caseId,
      statusName: h.status,
      statusType: h.type ?? null,
      statusOrderindex: h.orderindex,
      totalMinutes: Math.round(h.total_time.by_minute),
      since: new Date(h.total_time.since),
      isCurrent: h.status === currentName,
    });
  }
  const cur = tis.current_status;
  if (cur && cur.total_time.since !== null) {
    const known = rows.get(cur.status);
    // The current status shows up in both places with totals that can differ by a minute; keep the larger.
    rows.set(cur.status, {
      caseId,
      statusName: cur.status,
      statusType: known?.statusType ?? current.type,
      statusOrderindex: known?.statusOrderindex ?? current.orderindex,
      totalMinutes: Math.max(known?.totalMinutes ?? 0, Math.round(cur.total_time.by_minute)),
      since: known?.since ?? new Date(cur.total_time.since),
      isCurrent: true,
    });
  }
  return [...rows.values()];
}
