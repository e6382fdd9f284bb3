import type { AccessRequest } from "./read-request.ts";
import { type Rule, VIEW_COMMANDS } from "./rules.ts";
import type { ViewRecord } from "./view-records.ts";

/** What the guard needs to decide; all of it injected, so the rules are tested without Slack. */
export type AccessDeps = {
  /** The workspace flowbot is installed in (auth.test), or undefined while Slack has not said. */
  installationTeam(): Promise<string | undefined>;
  /** A flowbot admin of that workspace (see check-admin.ts). */
  isAdmin(teamId: string, userId: string): Promise<boolean>;
  isChannelMember(channelId: string, userId: string): Promise<boolean>;
  findView(viewId: string): Promise<ViewRecord | undefined>;
  /** FLOWBOT_ADMINS, named in the refusal when set. */
  configuredAdmins: readonly string[];
};

/** What a granted request may rely on: checked facts, not what the payload claims. */
export type Access = {
  /** The installation's workspace (the request's, which was checked to be it). */
  teamId: string;
  userId: string;
  /** The channel the rule checked: the request's, the recorded view's, or the one the rule looked up. */
  channelId: string | undefined;
  /** The recorded modal the request came from, for rules bound to one. */
  view: ViewRecord | undefined;
};

export type Decision =
  | { ok: true; access: Access }
  /** `reason` is for the log; `message` for the user, saying what to do instead. */
  | { ok: false; reason: string; message: string };

const refuse = (reason: string, message: string): Decision => ({ ok: false, reason, message });

/** Decides a request against its entry point's rule. Reads only; changes nothing anywhere. */
export async function checkAccess(request: AccessRequest, rule: Rule, deps: AccessDeps): Promise<Decision> {
  const { userId, teamId } = request;
  if (!userId || !teamId) {
    return refuse(
      "no user or team in the payload",
      "Slack did not say who sent this or from which workspace, so nothing was done.",
    );
  }
  const installed = await deps.installationTeam();
  if (!installed) {
    return refuse(
      "installation team unknown (auth.test has not answered)",
      "flowbot has not been able to confirm its Slack workspace yet (auth.test), so nothing was done. Try again in a minute.",
    );
  }
  if (teamId !== installed) {
    return refuse(
      `request team ${teamId} is not the installation team ${installed}`,
      ":lock: This request comes from another Slack workspace than the one flowbot is installed in, so nothing was done.",
    );
  }

  let channelId = request.channelId;
  let view: ViewRecord | undefined;
  if (rule.who === "admin") {
    const adminText = `:lock: Only flowbot admins can ${rule.does}: Slack workspace admins and owners${
      deps.configuredAdmins.length ? ", and the users named in FLOWBOT_ADMINS" : ""
    }. Ask one of them.`;
    if (request.userTeamId && request.userTeamId !== installed) {
      return refuse(`user's team ${request.userTeamId} is not the installation team`, adminText);
    }
    if (!(await deps.isAdmin(installed, userId))) return refuse("not an admin", adminText);
    if (rule.view) {
      view = await recordedView(request, deps);
      if (!view || view.kind !== rule.view || view.userId !== userId || view.teamId !== installed) {
        return refuse(
          view ? `view ${view.viewId} is a ${view.kind} view of ${view.userId}` : "view not recorded",
          `:no_entry: This dialog was not opened by you with \`${VIEW_COMMANDS[rule.view]}\` (or it is more than a day old), so nothing was done. Run \`${VIEW_COMMANDS[rule.view]}\` again.`,
        );
      }
      channelId = view.channelId;
    }
  } else if (rule.who === "channel member") {
    const answer = await rule.channel(request);
    if ("refused" in answer) return refuse(`channel refused: ${answer.refused}`, answer.refused);
    if (!(await deps.isChannelMember(answer.channelId, userId))) {
      return refuse(
        `not a member of ${answer.channelId}`,
        `:lock: Only members of <#${answer.channelId}> can ${rule.does}. Join the channel first.`,
      );
    }
    channelId = answer.channelId;
  }
  return { ok: true, access: { teamId: installed, userId, channelId, view } };
}

/** The request's modal, or for a view pushed on top of one, the modal at the root of its stack. */
async function recordedView(request: AccessRequest, deps: AccessDeps): Promise<ViewRecord | undefined> {
  if (!request.viewId) return undefined;
  const own = await deps.findView(request.viewId);
  if (own) return own;
  return request.rootViewId && request.rootViewId !== request.viewId
    ? deps.findView(request.rootViewId)
    : undefined;
}
