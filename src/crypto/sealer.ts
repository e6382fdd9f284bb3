import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Seals secrets at rest with AES-256-GCM: a random 12-byte IV per value and a 16-byte tag.
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id (first 8 hex chars
 * of the key's SHA-256) tells which key sealed a value, so rotation can re-seal old values.
 */
export type Sealer = {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** True when `sealed` was sealed with a key other than the current one. */
  needsReseal(sealed: string): boolean;
};

export function createSealer(key: Buffer, previousKey?: Buffer): Sealer {
  const keys = new Map<string, Buffer>([[keyId(key), key]]);
  if (previousKey) keys.set(keyId(previousKey), previousKey);
  const currentId = keyId(key);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", currentId, iv, cipher.getAuthTag(), ciphertext]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed) {
      const [version, id, iv, tag, ciphertext] = sealed.split(".");
      if (version !== "v1" || !id || !iv || !tag || ciphertext === undefined) {
        throw new Error("sealed value is malformed");
      }
      const k = keys.get(id);
      if (!k) {
        throw new Error(
          "sealed with an unknown key: set FLOWBOT_ENCRYPTION_KEY_PREVIOUS to the key it was sealed with",
        );
      }
      const decipher = createDecipheriv("aes-256-gcm", k, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    },
    needsReseal(sealed) {
      return sealed.split(".")[1] !== currentId;
    },
  };
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}
