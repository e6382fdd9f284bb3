// The load generator of bench/ingest.ts, in its own process so it does not share the server's event
// loop: sends pre-signed ClickUp deliveries to a URL at a fixed concurrency and reports each answer's
// latency. With `retry`, a delivery not answered 200 is sent again after a pause, as ClickUp retries.
// Driven over IPC: {type: "run", url, bodies, signatures, concurrency, retry?} → {type: "done", ...}.
import { Pool } from "undici";

export type LoadRun = {
  type: "run";
  url: string;
  bodies: string[];
  signatures: string[];
  concurrency: number;
  /** Send a delivery again after `delayMs` until it is answered 200, at most `maxAttempts` times. */
  retry?: { delayMs: number; maxAttempts: number };
};
export type LoadDone = {
  type: "done";
  elapsedMs: number;
  /** Latency of every answer in ms (each attempt), in the order they came. */
  latencies: number[];
  /** Answers by status, each attempt counted ("error" when the request failed without one). */
  statuses: Record<string, number>;
  /** Deliveries still not answered 200 after their last attempt. */
  gaveUp: number;
};

process.on("message", async (msg: LoadRun | { type: "close" }) => {
  if (msg.type === "close") process.exit(0);
  const target = new URL(msg.url);
  const pool = new Pool(target.origin, { connections: msg.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const maxAttempts = msg.retry?.maxAttempts ?? 1;
  let gaveUp = 0;
  let next = 0;
  const started = performance.now();
  const send = async (i: number): Promise<string> => {
    const t0 = performance.now();
    let status: string;
    try {
      const res = await pool.request({
        method: "POST",
        path: target.pathname,
        headers: { "content-type": "application/json", "x-signature": msg.signatures[i]! },
        body: msg.bodies[i]!,
      });
      await res.body.dump();
      status = String(res.statusCode);
    } catch {
      status = "error";
    }
    latencies.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
    return status;
  };
  const worker = async () => {
    for (let i = next++; i < msg.bodies.length; i = next++) {
      let status = await send(i);
      for (let attempt = 1; status !== "200" && attempt < maxAttempts; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, msg.retry!.delayMs));
        status = await send(i);
      }
      if (status !== "200") gaveUp += 1;
    }
  };
  await Promise.all(Array.from({ length: msg.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  const done: LoadDone = { type: "done", elapsedMs, latencies, statuses, gaveUp };
  process.send!(done);
});
process.send!({ type: "ready" });
