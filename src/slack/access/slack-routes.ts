import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  SlashCommand,
} from "@slack/bolt";
import type { Sql } from "postgres";
import type { Logger } from "../../log/create-logger.ts";
import { answerRefusal, type RefusalTools } from "./answer-refusal.ts";
import { type Access, type AccessDeps, checkAccess } from "./check-access.ts";
import { claimRequest, type SignedRequest } from "./claim-request.ts";
import { type PayloadKind, readRequest } from "./read-request.ts";
import type { Rule } from "./rules.ts";

/** The key under which the HTTP receiver hands a request's verified signature to the guard. */
export const SIGNED_REQUEST_KEY = "flowbotSignedRequest";

/** One registered entry point and who may use it; a command's rule may depend on its text. */
type RouteEntry = {
  type: PayloadKind;
  id: string;
  rule: Rule | ((command: SlashCommand) => Rule);
};

type WithAccess<A> = A & { access: Access };
type Handler<A> = (args: WithAccess<A & AllMiddlewareArgs>) => Promise<void>;

/**
 * The only way flowbot's Slack listeners are registered. Each registration declares its rule, and one
 * guard runs before every handler: it reads who sent the request, decides by the rule (check-access.ts),
 * answers a refusal in the payload's own way (nothing else happens, nothing is written), and otherwise
 * claims the signed request, so a replay of it runs nothing. Handlers get the checked `access`.
 */
export type SlackRoutes = {
  command(name: string, rule: RouteEntry["rule"], handler: Handler<SlackCommandMiddlewareArgs>): void;
  action<A extends SlackAction = BlockAction>(
    actionId: string,
    rule: Rule,
    handler: Handler<SlackActionMiddlewareArgs<A>>,
  ): void;
  view(callbackId: string, rule: Rule, handler: Handler<SlackViewMiddlewareArgs>): void;
  options(
    actionId: string,
    rule: Rule,
    handler: Handler<SlackOptionsMiddlewareArgs<"block_suggestion">>,
  ): void;
  shortcut(callbackId: string, rule: Rule, handler: Handler<SlackShortcutMiddlewareArgs>): void;
  event<E extends string>(name: E, rule: Rule, handler: Handler<SlackEventMiddlewareArgs<E>>): void;
  /** Every entry point registered so far, with its rule. */
  list(): readonly RouteEntry[];
};

export type GuardDeps = AccessDeps & { sql: Sql; logger: Logger; now: () => number };

export function createSlackRoutes(app: App, deps: GuardDeps): SlackRoutes {
  const entries: RouteEntry[] = [];

  const add = (entry: RouteEntry) => {
    if (entries.some((e) => e.type === entry.type && e.id === entry.id)) {
      throw new Error(`the Slack ${entry.type} ${entry.id} is registered twice`);
    }
    entries.push(entry);
  };

  /** The guard: undefined means the request was refused (or was a replay) and has been answered. */
  const admit = async (
    entry: RouteEntry,
    args: AllMiddlewareArgs & { body: unknown; ack?: unknown; respond?: unknown },
  ): Promise<Access | undefined> => {
    const request = readRequest(entry.type, args.body);
    const rule = typeof entry.rule === "function" ? entry.rule(args.body as SlashCommand) : entry.rule;
    const tools: RefusalTools = {
      ack: args.ack as RefusalTools["ack"],
      respond: args.respond as RefusalTools["respond"],
      client: args.client,
      logger: deps.logger,
      viewAction: (args.body as { type?: string }).type,
    };
    const decision = await checkAccess(request, rule, deps);
    if (!decision.ok) {
      deps.logger.warn(
        { entry: request.entry, user: request.userId, team: request.teamId, reason: decision.reason },
        "refused a Slack request",
      );
      await answerRefusal(request, decision.message, tools);
      return undefined;
    }
    const signed = args.context[SIGNED_REQUEST_KEY] as SignedRequest | undefined;
    if (signed && !(await claimRequest(deps.sql, signed, deps.now()))) {
      deps.logger.warn({ entry: request.entry, user: request.userId }, "ignored a replayed Slack request");
      await answerRefusal(request, "This request was already handled once; it was not run again.", tools);
      return undefined;
    }
    return decision.access;
  };

  return {
    command(name, rule, handler) {
      const entry: RouteEntry = { type: "command", id: name, rule };
      add(entry);
      app.command(name, async (args) => {
        const access = await admit(entry, args);
        if (access) await handler({ ...args, access });
      });
    },
    action<A extends SlackAction = BlockAction>(
      actionId: string,
      rule: Rule,
      handler: Handler<SlackActionMiddlewareArgs<A>>,
    ) {
      const entry: RouteEntry = { type: "action", id: actionId, rule };
      add(entry);
      app.action<A>(actionId, async (args) => {
        const access = await admit(entry, args);
        if (access) await handler({ ...args, access });
      });
    },
    view(callbackId, rule, handler) {
      const entry: RouteEntry = { type: "view", id: callbackId, rule };
      add(entry);
      app.view(callbackId, async (args) => {
        const access = await admit(entry, args);
        if (access) await handler({ ...args, access });
      });
    },
    options(actionId, rule, handler) {
      const entry: RouteEntry = { type: "options", id: actionId, rule };
      add(entry);
      app.options<"block_suggestion">(actionId, async (args) => {
        const access = await admit(entry, args);
        if (access) await handler({ ...args, access });
      });
    },
    shortcut(callbackId, rule, handler) {
      const entry: RouteEntry = { type: "shortcut", id: callbackId, rule };
      add(entry);
      app.shortcut(callbackId, async (args) => {
        const access = await admit(entry, args);
        if (access) await handler({ ...args, access });
      });
    },
    event<E extends string>(name: E, rule: Rule, handler: Handler<SlackEventMiddlewareArgs<E>>) {
      const entry: RouteEntry = { type: "event", id: name, rule };
      add(entry);
      app.event<E>(name, async (args) => {
        const access = await admit(entry, args);
        // Bolt's listener args carry a conditional type TypeScript cannot relate to its own parts.
        if (access) await handler({ ...args, access } as Parameters<typeof handler>[0]);
      });
    },
    list: () => [...entries],
  };
}
