import { type MethodHandler, ok } from "../method-result.ts";

export const authTest: MethodHandler = ({ state, auth }) => {
  const { identity } = state;
  return ok({
    url: `https://${identity.teamDomain}.slack.com/`,
    team: identity.teamName,
    user: auth.userId === identity.botUserId ? identity.botUserName : auth.userId,
    team_id: auth.teamId,
    user_id: auth.userId,
    ...(auth.botId ? { bot_id: auth.botId } : {}),
    is_enterprise_install: false,
  });
};
