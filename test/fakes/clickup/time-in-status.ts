import type { StatusDef, TaskRec } from "./types.ts";

interface Bucket {
  status: StatusDef;
  totalMs: number;
  since: number;
}

const MINUTE = 60_000;

/**
 * Aggregates a task's status visits into ClickUp's per-status totals (docs/clickup.md §6.2): one entry per
 * status name, re-entries add up, the current status keeps growing until `now`. `since` is the latest
 * entry into that status (the real meaning is unconfirmed); entries are ordered by orderindex like the
 * spec example, so clients must not rely on chronological order.
 */
export function timeInStatusJson(task: TaskRec, now: number) {
  const buckets = new Map<string, Bucket>();
  task.visits.forEach((visit, i) => {
    const end = task.visits[i + 1]?.at ?? now;
    const key = visit.status.status.toLowerCase();
    const bucket = buckets.get(key);
    const spent = Math.max(0, end - visit.at);
    if (bucket) {
      bucket.totalMs += spent;
      bucket.since = visit.at;
    } else {
      buckets.set(key, { status: visit.status, totalMs: spent, since: visit.at });
    }
  });
  const total = (b: Bucket) => ({ by_minute: Math.floor(b.totalMs / MINUTE), since: String(b.since) });
  const current = buckets.get(task.status.status.toLowerCase());
  const history = [...buckets.values()].sort((a, b) => a.status.orderindex - b.status.orderindex);
  return {
    current_status: {
      status: task.status.status,
      color: task.status.color,
      total_time: current ? total(current) : { by_minute: 0, since: String(now) },
    },
    status_history: history.map((b) => ({
      status: b.status.status,
      color: b.status.color,
      type: b.status.type,
      orderindex: b.status.orderindex,
      total_time: total(b),
    })),
  };
}
