import type { Context } from "hono";

export type ComponentHealth = { ok: boolean; detail: string };

/** Reports the parts /healthz covers; each check must answer quickly (it has its own timeout). */
export type HealthProbe = {
  database(): Promise<ComponentHealth>;
  worker(): ComponentHealth;
  slack(): ComponentHealth;
};

/** 200 when the database and the worker are up, 503 otherwise; the body says which part is down. */
export function healthRoute(probe: HealthProbe) {
  return async (c: Context) => {
    const database = await probe.database();
    const worker = probe.worker();
    const ok = database.ok && worker.ok;
    return c.json(
      { status: ok ? "ok" : "unavailable", database, worker, slack: probe.slack() },
      ok ? 200 : 503,
    );
  };
}
