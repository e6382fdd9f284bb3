import { fail, type MethodHandler, missingArgument, ok } from "../method-result.ts";
import { stringArg } from "../parse-body.ts";

export const conversationsInfo: MethodHandler = ({ state, args, now }) => {
  const id = stringArg(args, "channel");
  if (!id) return missingArgument("channel");
  const channel = state.channels.get(id);
  if (!channel) return fail("channel_not_found");
  return ok({
    channel: {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: false,
      is_im: false,
      is_private: channel.is_private ?? false,
      is_archived: channel.is_archived ?? false,
      is_member: channel.is_member ?? true,
      created: Math.floor(now / 1000),
    },
  });
};
