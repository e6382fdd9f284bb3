import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import type { Rule } from "../../src/slack/access/rules.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Every Slack entry point of the running app, with the rule it declares. A listener registered on Bolt
// without a rule, or one whose rule is not the one this table expects, fails here: adding a handler means
// saying who may use it.

/** `who`, and for recorded modals the modal kind, of every entry point: "type id" → rule. */
const EXPECTED: Record<string, string> = {
  "command /flow": "per subcommand",
  "event app_home_opened": "anyone",
  "view flow_connect": "admin connect",
  "view flow_disconnect": "admin disconnect",
  "view flow_bind": "admin bind",
  "view flow_bind_confirm": "admin bind",
  "view flow_settings": "admin settings",
  "view flow_settings_segments": "admin segments",
  "view flow_signal_settings": "admin signals",
  "view flow_settings_limits": "admin limits",
  "view flow_settings_blocked": "admin blocked",
  "view flow_settings_holidays": "admin holidays",
  "view flow_people": "admin people",
  "action bind_space": "admin bind",
  "action bind_folder": "admin bind",
  "action bind_list": "admin bind",
  "options bind_space": "admin bind",
  "options bind_folder": "admin bind",
  "options bind_list": "admin bind",
  "action binding_pause": "admin",
  "action binding_resume": "admin",
  "action binding_backfill": "admin",
  "action binding_unbind": "admin",
  "action binding_unbind_delete": "admin",
  "action flow_report_share": "channel member",
  "action flow_home_open_report": "channel member",
  "action flow_report_chart_cfd": "channel member",
  "action flow_report_chart_cfd_status": "channel member",
  "action flow_report_chart_throughput": "channel member",
  "action flow_report_chart_ageing": "channel member",
  "action flow_report_chart_cycle": "channel member",
  "action digest_open": "channel member",
  "action digest_snooze_3d": "channel member",
  "action digest_snooze_moves": "channel member",
};

/** Who may run each `/flow` subcommand. */
const SUBCOMMANDS: Record<string, string> = {
  help: "anyone",
  connect: "admin",
  disconnect: "admin",
  module: "admin",
  bind: "admin",
  bindings: "anyone",
  backfill: "admin",
  pause: "admin",
  resume: "admin",
  unbind: "admin",
  "unbind-data": "admin",
  report: "anyone",
  settings: "admin",
  status: "anyone",
  digest: "admin",
  forecast: "anyone",
  people: "admin",
};

/** Forms of a subcommand with a stricter rule than its own (Subcommand.accessFor). */
const STRICTER: Record<string, string> = {
  "forecast track launch by 2027-01-15": "admin",
  "forecast untrack 3": "admin",
  "forecast list": "anyone",
  "forecast when 10": "anyone",
};

const describeRule = (rule: Rule) => (rule.who === "admin" && rule.view ? `admin ${rule.view}` : rule.who);

/** Every .ts file under src/, with its text. */
async function sourceFiles(dir = "src"): Promise<[string, string][]> {
  const files: [string, string][] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (path.endsWith(".ts")) files.push([path, await readFile(path, "utf8")]);
  }
  return files;
}

let db: TestDatabase;
let flowbot: Flowbot;

beforeAll(async () => {
  db = await createTestDatabase();
  const slack = createSlackFake();
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url, FLOWBOT_ROLE: "web" }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    crontab: "",
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

describe("every Slack entry point declares who may use it", () => {
  it("registers each listener through the guarded routes, with the rule the table expects", () => {
    const { app, routes, registry } = flowbot.slack!;
    const entries = routes.list();
    // Bolt keeps one list of middleware per listener; any listener added past `routes` shows up here.
    const boltListeners = (app as unknown as { listeners: unknown[][] }).listeners;
    expect(boltListeners).toHaveLength(entries.length);

    const declared = Object.fromEntries(
      entries.map((e) => [
        `${e.type} ${e.id}`,
        typeof e.rule === "function" ? "per subcommand" : describeRule(e.rule),
      ]),
    );
    expect(declared).toEqual(EXPECTED);

    const subcommands = Object.fromEntries(registry.list().map((s) => [s.name, describeRule(s.access)]));
    expect(subcommands).toEqual(SUBCOMMANDS);
    // The command's rule is the named subcommand's; an unknown name (which only gets help) is anyone's.
    const commandRule = entries.find((e) => e.type === "command")!.rule as (c: { text: string }) => Rule;
    for (const [name, who] of Object.entries(SUBCOMMANDS)) {
      expect(commandRule({ text: `  ${name} something` }).who, name).toBe(who);
    }
    for (const [text, who] of Object.entries(STRICTER)) {
      expect(commandRule({ text: ` ${text}` }).who, text).toBe(who);
    }
    expect(commandRule({ text: "frobnicate" }).who).toBe("anyone");
  });

  it("every `/flow <subcommand>` a message names exists", async () => {
    const names = new Set(flowbot.slack!.registry.list().map((s) => s.name));
    const named = new Map<string, string>();
    for (const [path, text] of await sourceFiles()) {
      for (const m of text.matchAll(/\/flow ([a-z][a-z-]*)/g)) named.set(m[1]!, path);
    }
    expect(named.size).toBeGreaterThan(5);
    const unknown = [...named]
      .filter(([name]) => !names.has(name))
      .map(([name, path]) => `${name} (${path})`);
    expect(unknown).toEqual([]);
  });

  it("no source file registers a Bolt listener except the routes", async () => {
    const offenders: string[] = [];
    for (const [path, text] of await sourceFiles()) {
      if (path === join("src", "slack", "access", "slack-routes.ts")) continue;
      const found = text.match(
        /\bapp\s*\.\s*(command|action|view|options|shortcut|event|message|function|use)\s*[<(]/g,
      );
      if (found) offenders.push(`${path}: ${found.join(", ")}`);
    }
    expect(offenders).toEqual([]);
  });
});
