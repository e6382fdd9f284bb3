import { eq } from "drizzle-orm";
import { clickupWebhooks, connections } from "../../db/schema.ts";
import type { Db } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import type { Sealer } from "./sealer.ts";

/**
 * Key rotation: re-seals every stored secret that an older key sealed (readable because
 * FLOWBOT_ENCRYPTION_KEY_PREVIOUS is set) with the current key. Runs at start-up; idempotent.
 */
export async function resealSecrets(db: Db, sealer: Sealer, logger: Logger): Promise<number> {
  let count = 0;
  for (const row of await db
    .select({ id: connections.id, sealed: connections.tokenSealed })
    .from(connections)) {
    if (!sealer.needsReseal(row.sealed)) continue;
    await db
      .update(connections)
      .set({ tokenSealed: sealer.seal(sealer.open(row.sealed)) })
      .where(eq(connections.id, row.id));
    count++;
  }
  for (const row of await db
    .select({ id: clickupWebhooks.id, sealed: clickupWebhooks.secretSealed })
    .from(clickupWebhooks)) {
    if (!sealer.needsReseal(row.sealed)) continue;
    await db
      .update(clickupWebhooks)
      .set({ secretSealed: sealer.seal(sealer.open(row.sealed)) })
      .where(eq(clickupWebhooks.id, row.id));
    count++;
  }
  if (count) logger.info({ count }, "re-sealed secrets with the current FLOWBOT_ENCRYPTION_KEY");
  return count;
}
