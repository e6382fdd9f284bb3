/**
 * Polls `probe` every `pollMs` until it gives a value (anything but undefined or false) and returns it;
 * past `timeoutMs` it throws, naming `what` and adding `context()` (e.g. the tail of the captured log).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  context: () => string = () => "",
  pollMs = 40,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
