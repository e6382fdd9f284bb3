import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../log/create-logger.ts";

/**
 * The key that seals secrets: FLOWBOT_ENCRYPTION_KEY when set; otherwise, only with the embedded
 * database, a key generated once into FLOWBOT_DATA_DIR/encryption.key (mode 0600). With an
 * external database the key must be configured, or processes would seal with different keys.
 */
export async function resolveEncryptionKey(options: {
  configured: Buffer | undefined;
  dataDir: string;
  embedded: boolean;
  logger: Logger;
}): Promise<Buffer> {
  if (options.configured) return options.configured;
  if (!options.embedded) {
    throw new Error(
      "FLOWBOT_ENCRYPTION_KEY is required with DATABASE_URL — generate one with `openssl rand -hex 32` and give every process the same value",
    );
  }
  const file = path.join(options.dataDir, "encryption.key");
  if (existsSync(file)) {
    const key = Buffer.from((await readFile(file, "utf8")).trim(), "hex");
    if (key.length !== 32)
      throw new Error(`${file} does not hold a 32-byte hex key; restore it from a backup`);
    return key;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString("hex")}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  options.logger.warn(
    { file },
    "generated an encryption key for secrets at rest; back it up (losing it means reconnecting ClickUp)",
  );
  return key;
}
