/** Minimal PNG inspection for tests: the 8-byte signature and the IHDR chunk's width and height. */
export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngInfo(bytes: Uint8Array): { signatureOk: boolean; width: number; height: number } {
  const buffer = Buffer.from(bytes);
  const signatureOk = buffer.subarray(0, 8).equals(PNG_MAGIC) && buffer.toString("latin1", 12, 16) === "IHDR";
  return { signatureOk, width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}
