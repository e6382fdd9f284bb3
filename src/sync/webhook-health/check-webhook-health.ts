import type { WebClient } from "@slack/web-api";
import { and, eq, isNull } from "drizzle-orm";
import { bindings, clickupWebhooks, connections, projects } from "../../../db/schema.ts";
import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpClient } from "../../clickup/create-clickup-client.ts";
import type { ClickUpWebhook } from "../../clickup/schemas.ts";
import type { Sealer } from "../../crypto/sealer.ts";
import type { Database } from "../../db/connect-database.ts";
import type { Logger } from "../../log/create-logger.ts";
import { ensureWebhook, hasEvents, reactivation, webhookEndpoint } from "../backfill/ensure-webhook.ts";
import { NO_PUBLIC_URL_WARNING } from "../backfill/messages.ts";
import { webhookFailingMessage, webhookFailingWarning, withoutWarning, withWarning } from "./messages.ts";

export interface WebhookHealthDeps {
  database: Database;
  /** A ClickUp client for a token. */
  clickup: (token: string) => ClickUpClient;
  sealer: Sealer;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** PUBLIC_URL; without it there are no webhooks to look after. */
  publicUrl?: string;
  /** Minutes between reconcile pulls, named in the notice (how late changes arrive meanwhile). */
  reconcileMinutes?: number;
  /** Where a webhook that keeps failing is announced (the project channels); optional. */
  slack?: WebClient;
  signal?: AbortSignal;
}

type WebhookOutcome =
  /** ClickUp reports it active. */
  | "healthy"
  /** Active, but without some of the events flowbot needs (registered before it needed them): added. */
  | "updated"
  /** It was failing or suspended and was switched back on. */
  | "reactivated"
  /** ClickUp no longer has it; a new one replaces it. */
  | "recreated"
  /** The binding had none (bound before PUBLIC_URL was set); one was registered. */
  | "created"
  /** ClickUp refused the check or the repair; logged, tried again next hour. */
  | "failed";

interface WebhookCheck {
  bindingIds: number[];
  /** The webhook after the check (a new id when re-created). */
  webhookId: string | null;
  outcome: WebhookOutcome;
  /** health.status ClickUp reported before any repair. */
  reported?: string;
  failCount?: number;
  /** True when this check told the project channels that the webhook keeps failing. */
  notified: boolean;
}

export interface WebhookHealthResult {
  skipped?: string;
  checks: WebhookCheck[];
}

type Row = Awaited<ReturnType<typeof loadRows>>[number];

/** Every binding that syncs, with its connection, channel and the webhook row it points at. */
function loadRows(database: Database) {
  return database.db
    .select({
      bindingId: bindings.id,
      containerType: bindings.containerType,
      containerId: bindings.containerId,
      containerPath: bindings.containerPath,
      webhookId: bindings.webhookId,
      warning: bindings.warning,
      channelId: projects.channelId,
      connectionId: connections.id,
      teamId: connections.clickupTeamId,
      tokenSealed: connections.tokenSealed,
      hook: clickupWebhooks,
    })
    .from(bindings)
    .innerJoin(projects, eq(projects.id, bindings.projectId))
    .innerJoin(connections, eq(connections.slackTeamId, projects.slackTeamId))
    .leftJoin(clickupWebhooks, eq(clickupWebhooks.id, bindings.webhookId))
    .where(
      and(eq(bindings.syncStatus, "synced"), isNull(bindings.unboundAt), eq(connections.moduleEnabled, true)),
    )
    .orderBy(connections.id, bindings.id);
}

/**
 * The hourly webhook check (docs/clickup.md §5.2, §5.7: webhooks stop firing quietly). Per connection, one list of
 * flowbot's webhooks from ClickUp; for each synced binding's webhook: active → recorded (and a past
 * failure notice cleared), and given the events flowbot subscribes to now if it lacks some (ensure-webhook.ts);
 * failing or suspended → reactivated with PUT status active (and those events); gone → re-created;
 * none yet → created. Health is recorded on clickup_webhooks (status ClickUp reported, fail count, when
 * checked). A webhook found failing again on the check after it was reactivated keeps failing: its
 * project channels are told once (failing_notified_at) until it recovers, and the binding carries a
 * warning meanwhile.
 */
export async function checkWebhookHealth(deps: WebhookHealthDeps): Promise<WebhookHealthResult> {
  const log = deps.logger.child({ component: "webhook-health" });
  if (!deps.publicUrl) {
    log.info("PUBLIC_URL is not set, so flowbot has no ClickUp webhooks; webhook health check skipped");
    return { skipped: "PUBLIC_URL is not set", checks: [] };
  }
  const publicUrl = deps.publicUrl;
  const rows = await loadRows(deps.database);
  const byConnection = new Map<number, Row[]>();
  for (const r of rows) byConnection.set(r.connectionId, [...(byConnection.get(r.connectionId) ?? []), r]);

  const checks: WebhookCheck[] = [];
  for (const group of byConnection.values()) {
    const first = group[0]!;
    const clickup = deps.clickup(deps.sealer.open(first.tokenSealed));
    let listed: ClickUpWebhook[];
    try {
      listed = await clickup.listWebhooks(first.teamId, { signal: deps.signal });
    } catch (err) {
      if (!isClickUpError(err)) throw err;
      log.warn(
        { connectionId: first.connectionId, code: err.code, request: err.request },
        "could not list ClickUp webhooks; checked again next hour",
      );
      checks.push({
        bindingIds: group.map((r) => r.bindingId),
        webhookId: null,
        outcome: "failed",
        notified: false,
      });
      continue;
    }
    // Bindings sharing a webhook (one container bound in two channels) are checked once, together.
    const byHook = new Map<string, Row[]>();
    for (const r of group) {
      const key = r.webhookId ?? `none:${r.bindingId}`;
      byHook.set(key, [...(byHook.get(key) ?? []), r]);
    }
    for (const shared of byHook.values()) {
      try {
        checks.push(await checkOne({ ...deps, publicUrl }, clickup, listed, shared, log));
      } catch (err) {
        if (!isClickUpError(err)) throw err;
        log.warn(
          { bindings: shared.map((r) => r.bindingId), webhookId: shared[0]!.webhookId, code: err.code },
          "could not repair a ClickUp webhook; tried again next hour",
        );
        checks.push({
          bindingIds: shared.map((r) => r.bindingId),
          webhookId: shared[0]!.webhookId,
          outcome: "failed",
          notified: false,
        });
      }
    }
  }
  const notable = checks.filter((c) => c.outcome !== "healthy");
  log[notable.length > 0 ? "info" : "debug"](
    {
      checked: checks.length,
      repaired: notable.map((c) => ({ webhookId: c.webhookId, outcome: c.outcome })),
    },
    "webhook health checked",
  );
  return { checks };
}

async function checkOne(
  deps: WebhookHealthDeps & { publicUrl: string },
  clickup: ClickUpClient,
  listed: ClickUpWebhook[],
  shared: Row[],
  log: Logger,
): Promise<WebhookCheck> {
  const { db } = deps.database;
  const first = shared[0]!;
  const bindingIds = shared.map((r) => r.bindingId);
  const at = new Date(deps.now());
  const hook = first.webhookId ? listed.find((h) => h.id === first.webhookId) : undefined;

  if (!hook) {
    // Gone from ClickUp (deleted there, or its creator lost access) or never registered.
    const webhookId = await ensureWebhook({
      db,
      clickup,
      sealer: deps.sealer,
      signal: deps.signal,
      now: deps.now,
      publicUrl: deps.publicUrl,
      bindingId: first.bindingId,
      currentWebhookId: first.webhookId,
      connectionId: first.connectionId,
      teamId: first.teamId,
      containerType: first.containerType,
      containerId: first.containerId,
      listed,
    });
    await db.transaction(async (tx) => {
      for (const r of shared) {
        const warning = withoutWarning(
          withoutWarning(r.warning, NO_PUBLIC_URL_WARNING),
          webhookFailingWarning,
        );
        await tx.update(bindings).set({ webhookId, warning }).where(eq(bindings.id, r.bindingId));
      }
      if (first.webhookId && first.webhookId !== webhookId) {
        const stillUsed = await tx
          .select({ id: bindings.id })
          .from(bindings)
          .where(eq(bindings.webhookId, first.webhookId));
        if (stillUsed.length === 0)
          await tx.delete(clickupWebhooks).where(eq(clickupWebhooks.id, first.webhookId));
      }
    });
    const outcome = first.webhookId ? "recreated" : "created";
    log.info({ bindings: bindingIds, previous: first.webhookId, webhookId }, `ClickUp webhook ${outcome}`);
    return { bindingIds, webhookId, outcome, notified: false };
  }

  const reported = hook.health?.status ?? "active";
  const failCount = hook.health?.fail_count ?? 0;
  if (reported === "active") {
    const recovered = first.hook?.failingNotifiedAt != null;
    const events = hasEvents(hook.events)
      ? hook.events
      : (await clickup.updateWebhook(hook.id, reactivation(deps.publicUrl), { signal: deps.signal })).webhook
          .events;
    await db.transaction(async (tx) => {
      await tx
        .update(clickupWebhooks)
        .set({ healthStatus: "active", failCount, events, lastCheckedAt: at, failingNotifiedAt: null })
        .where(eq(clickupWebhooks.id, hook.id));
      if (recovered) {
        for (const r of shared) {
          await tx
            .update(bindings)
            .set({ warning: withoutWarning(r.warning, webhookFailingWarning) })
            .where(eq(bindings.id, r.bindingId));
        }
      }
    });
    if (recovered) log.info({ webhookId: hook.id }, "ClickUp webhook delivers again");
    const outcome = events === hook.events ? "healthy" : "updated";
    if (outcome === "updated") log.info({ webhookId: hook.id, events }, "ClickUp webhook's events updated");
    return { bindingIds, webhookId: hook.id, outcome, reported, failCount, notified: false };
  }

  // Failing or suspended. If the last check saw it unhealthy too, it was reactivated then and failed
  // again since: it keeps failing.
  const keepsFailing = first.hook !== null && first.hook.healthStatus !== "active";
  const reactivated = await clickup.updateWebhook(hook.id, reactivation(deps.publicUrl), {
    signal: deps.signal,
  });
  const notify = keepsFailing && first.hook?.failingNotifiedAt == null;
  await db.transaction(async (tx) => {
    await tx
      .update(clickupWebhooks)
      .set({
        healthStatus: reported,
        failCount,
        events: reactivated.webhook.events,
        lastCheckedAt: at,
        endpoint: webhookEndpoint(deps.publicUrl),
        ...(notify ? { failingNotifiedAt: at } : {}),
      })
      .where(eq(clickupWebhooks.id, hook.id));
    if (notify) {
      for (const r of shared) {
        await tx
          .update(bindings)
          .set({ warning: withWarning(r.warning, webhookFailingWarning) })
          .where(eq(bindings.id, r.bindingId));
      }
    }
  });
  log.warn({ webhookId: hook.id, reported, failCount, keepsFailing }, "ClickUp webhook reactivated");
  if (notify) await tellChannels(deps, shared, { reported, failCount }, log);
  return { bindingIds, webhookId: hook.id, outcome: "reactivated", reported, failCount, notified: notify };
}

/** One message per project channel that binds something this webhook serves. */
async function tellChannels(
  deps: WebhookHealthDeps & { publicUrl: string },
  shared: Row[],
  health: { reported: string; failCount: number },
  log: Logger,
) {
  if (!deps.slack) return;
  const byChannel = new Map<string, Row[]>();
  for (const r of shared) byChannel.set(r.channelId, [...(byChannel.get(r.channelId) ?? []), r]);
  for (const [channel, list] of byChannel) {
    const text = webhookFailingMessage({
      bindings: list.map((r) => `#${r.bindingId} ${r.containerPath}`),
      endpoint: webhookEndpoint(deps.publicUrl),
      reconcileMinutes: deps.reconcileMinutes,
      ...health,
    });
    try {
      await deps.slack.chat.postMessage({ channel, text });
    } catch (err) {
      log.warn({ err, channel }, "could not tell the project channel that its webhook keeps failing");
    }
  }
}
