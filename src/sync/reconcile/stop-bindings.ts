import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import type { ClickUpError } from "../../clickup/clickup-error.ts";
import type { Logger } from "../../log/create-logger.ts";

export interface StoppedBinding {
  id: number;
  channelId: string;
  path: string;
}

/**
 * Puts bindings in error after a ClickUp refusal no retry fixes, and tells each project channel once.
 * Only bindings still `synced` change (and are announced), so a second reconcile hitting the same
 * refusal — or one racing this — tells nobody twice. A dead token stops every synced binding of the
 * workspace: they all share it.
 */
export async function stopBindings(
  deps: { sql: Sql; logger: Logger; slack?: WebClient; now: () => number },
  input: { bindingId: number; slackTeamId: string; err: ClickUpError },
): Promise<StoppedBinding[]> {
  const { sql } = deps;
  const { err } = input;
  const wholeWorkspace = err.code === "token_invalid";
  const at = new Date(deps.now());
  const stopped = await sql.begin(async (tx) => {
    const rows = await tx<{ id: string; channelId: string; path: string }[]>`
      update bindings b set sync_status = 'error', error_code = ${err.code},
        error_reason = 'Sync of ' || b.container_path || ' stopped: ' || ${err.message}
      from projects p
      where p.id = b.project_id and b.sync_status = 'synced' and b.unbound_at is null
        and (b.id = ${input.bindingId} or (${wholeWorkspace} and p.slack_team_id = ${input.slackTeamId}))
      returning b.id, p.channel_id as "channelId", b.container_path as path`;
    for (const r of rows) {
      await tx`
        insert into sync_errors (slack_team_id, binding_id, code, message, occurred_at)
        values (${input.slackTeamId}, ${r.id}, ${err.code}, ${`Sync of ${r.path} stopped: ${err.message}`}, ${at})`;
    }
    return rows.map((r) => ({ id: Number(r.id), channelId: r.channelId, path: r.path }));
  });
  deps.logger.warn(
    { code: err.code, request: err.request, bindings: stopped.map((b) => b.id) },
    "reconcile stopped by a permanent ClickUp error",
  );

  const byChannel = new Map<string, StoppedBinding[]>();
  for (const b of stopped) byChannel.set(b.channelId, [...(byChannel.get(b.channelId) ?? []), b]);
  for (const [channel, list] of byChannel) {
    const names = list.map((b) => `#${b.id} ${b.path}`).join(", ");
    const text =
      `:warning: flowbot stopped syncing ${names} from ClickUp. ${err.message} ` +
      `Once that is fixed, an admin restarts it with \`/flow backfill ${list[0]!.id}\`` +
      `${list.length > 1 ? " (and the others likewise)" : ""}; the data synced so far is kept.`;
    try {
      await deps.slack?.chat.postMessage({ channel, text });
    } catch (e) {
      deps.logger.warn({ err: e, channel }, "could not tell the project channel that syncing stopped");
    }
  }
  return stopped;
}
