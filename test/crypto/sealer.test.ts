import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSealer } from "../../src/crypto/sealer.ts";

describe("createSealer", () => {
  const key = randomBytes(32);

  it("round-trips, with a fresh IV per value so equal tokens seal differently", () => {
    const sealer = createSealer(key);
    const a = sealer.seal("pk_123_SECRET");
    const b = sealer.seal("pk_123_SECRET");
    expect(a).not.toBe(b);
    expect(a).not.toContain("SECRET");
    expect(sealer.open(a)).toBe("pk_123_SECRET");
    expect(sealer.open(b)).toBe("pk_123_SECRET");
  });

  it("detects tampering (GCM tag)", () => {
    const sealer = createSealer(key);
    const parts = sealer.seal("pk_1_X").split(".");
    const ct = Buffer.from(parts[4]!, "base64url");
    ct[0]! ^= 1;
    parts[4] = ct.toString("base64url");
    expect(() => sealer.open(parts.join("."))).toThrow();
  });

  it("reads values sealed with the previous key and flags them for re-sealing", () => {
    const oldKey = randomBytes(32);
    const old = createSealer(oldKey).seal("pk_9_OLD");
    const rotated = createSealer(key, oldKey);
    expect(rotated.open(old)).toBe("pk_9_OLD");
    expect(rotated.needsReseal(old)).toBe(true);
    expect(rotated.needsReseal(rotated.seal("pk_9_OLD"))).toBe(false);
    expect(() => createSealer(key).open(old)).toThrow(/FLOWBOT_ENCRYPTION_KEY_PREVIOUS/);
  });
});
