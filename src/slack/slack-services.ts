import type { WebClient } from "@slack/web-api";
import type { ClickUpClient } from "../clickup/index.ts";
import type { Config } from "../config/load-config.ts";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import type { ModalOpening } from "./access/open-recorded-modal.ts";

/** What Slack handlers use; built once per process and passed in (no module-level state). */
export type SlackServices = {
  config: Config;
  database: Database;
  logger: Logger;
  now: () => number;
  /** User ids from FLOWBOT_ADMINS. */
  configuredAdmins: readonly string[];
  isAdmin(teamId: string, userId: string): Promise<boolean>;
  /** A ClickUp client for a token; clients of one token share its rate-limit budget. */
  clickup(token: string): ClickUpClient;
  sealer: Sealer;
  /** Opens a modal and records it for the guard (see access/open-recorded-modal.ts); its view id. */
  openModal(client: WebClient, opening: ModalOpening): Promise<string>;
};
