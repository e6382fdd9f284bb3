import { fail, type MethodHandler, missingArgument, ok } from "../method-result.ts";
import { stringArg } from "../parse-body.ts";
import type { SlackFakeState } from "../state.ts";
import type { SlackUserSeed } from "../types.ts";

/** A full user object as users.info returns it, with Slack's defaults for fields the seed left out. */
export function userObject(state: SlackFakeState, seed: SlackUserSeed) {
  const name = seed.name ?? seed.id.toLowerCase();
  const realName = seed.real_name ?? seed.profile?.real_name ?? name;
  return {
    id: seed.id,
    team_id: seed.team_id ?? state.identity.teamId,
    name,
    real_name: realName,
    deleted: seed.deleted ?? false,
    tz: seed.tz ?? "Europe/London",
    is_admin: seed.is_admin ?? false,
    is_owner: seed.is_owner ?? false,
    is_primary_owner: seed.is_primary_owner ?? false,
    is_restricted: seed.is_restricted ?? false,
    is_ultra_restricted: seed.is_ultra_restricted ?? false,
    is_bot: seed.is_bot ?? false,
    is_app_user: false,
    profile: {
      real_name: realName,
      display_name: seed.profile?.display_name ?? name,
      ...(seed.profile?.email ? { email: seed.profile.email } : {}),
    },
  };
}

export const usersInfo: MethodHandler = ({ state, args }) => {
  const id = stringArg(args, "user");
  if (!id) return missingArgument("user");
  const seed = state.users.get(id);
  return seed ? ok({ user: userObject(state, seed) }) : fail("user_not_found");
};

export const usersLookupByEmail: MethodHandler = ({ state, args }) => {
  const email = stringArg(args, "email")?.toLowerCase();
  if (!email) return missingArgument("email");
  const seed = [...state.users.values()].find((user) => user.profile?.email?.toLowerCase() === email);
  return seed ? ok({ user: userObject(state, seed) }) : fail("users_not_found");
};
