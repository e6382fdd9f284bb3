import { type ClickUpClient, isClickUpError } from "../../clickup/index.ts";

export type ConnectCheck =
  | { ok: false; errors: Partial<Record<"token" | "workspace", string>> }
  | {
      ok: true;
      team: { id: string; name: string };
      user: { id: number; username: string; email: string | null };
    };

/** Longest we wait for ClickUp: Slack drops a view_submission that is not answered in 3 s. */
const CONNECT_DEADLINE_MS = 2500;

/**
 * Checks what the admin typed, cheapest first: format problems never reach ClickUp. Each
 * failure becomes a message on the field that needs fixing.
 */
export async function validateConnectInput(
  rawToken: string,
  rawWorkspace: string,
  clientFor: (token: string) => ClickUpClient,
): Promise<ConnectCheck> {
  const token = rawToken.trim();
  const workspace = rawWorkspace.trim();
  if (!token)
    return { ok: false, errors: { token: "Paste the token: ClickUp › Settings › Apps › API Token." } };
  if (!token.startsWith("pk_")) {
    return {
      ok: false,
      errors: {
        token:
          "This is not a personal API token. In ClickUp open Settings › Apps, copy the whole API Token (it starts with pk_) and paste it here.",
      },
    };
  }
  if (workspace && !/^\d+$/.test(workspace)) {
    return {
      ok: false,
      errors: { workspace: "A workspace id is a number, e.g. 9006054115 from app.clickup.com/9006054115/…" },
    };
  }
  const client = clientFor(token);
  const signal = AbortSignal.timeout(CONNECT_DEADLINE_MS);
  let user: Awaited<ReturnType<ClickUpClient["getUser"]>>;
  let teams: Awaited<ReturnType<ClickUpClient["getTeams"]>>;
  try {
    [user, teams] = await Promise.all([client.getUser({ signal }), client.getTeams({ signal })]);
  } catch (err) {
    if (isClickUpError(err, "token_invalid")) {
      return {
        ok: false,
        errors: {
          token:
            "ClickUp rejected this token; regenerate it in ClickUp › Settings › Apps and paste the new one.",
        },
      };
    }
    return {
      ok: false,
      errors: {
        token:
          "ClickUp did not answer in time or is having problems, so nothing was saved. Try again in a minute.",
      },
    };
  }
  const list = teams.map((t) => `${t.name} (${t.id})`).join(", ");
  if (teams.length === 0) {
    return {
      ok: false,
      errors: { token: "This token's user belongs to no ClickUp workspace. Use a member's token." },
    };
  }
  let team = teams[0]!;
  if (workspace) {
    const named = teams.find((t) => t.id === workspace);
    if (!named) {
      return {
        ok: false,
        errors: { workspace: `This token cannot see workspace ${workspace}. It can see: ${list}.` },
      };
    }
    team = named;
  } else if (teams.length > 1) {
    return {
      ok: false,
      errors: { workspace: `This token can see several ClickUp workspaces; enter the id of one: ${list}.` },
    };
  }
  return {
    ok: true,
    team: { id: team.id, name: team.name },
    user: {
      id: Number(user.id),
      username: user.username ?? `ClickUp user ${user.id}`,
      email: user.email ?? null,
    },
  };
}
