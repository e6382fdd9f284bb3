// The load generator of bench/ingest.ts, in its own process so it does not share the server's event
// loop: sends pre-signed ClickUp deliveries to a URL at a fixed concurrency and reports each request's
// latency. Driven over IPC: {type: "run", url, bodies, signatures, concurrency} → {type: "done", ...}.
import { Pool } from "undici";

export type LoadRun = {
  type: "run";
  url: string;
  bodies: string[];
  signatures: string[];
  concurrency: number;
};
export type LoadDone = {
  type: "done";
  elapsedMs: number;
  /** Per-request latency in ms, in send order. */
  latencies: number[];
  statuses: Record<string, number>;
};

process.on("message", async (msg: LoadRun | { type: "close" }) => {
  if (msg.type === "close") process.exit(0);
  const target = new URL(msg.url);
  const pool = new Pool(target.origin, { connections: msg.concurrency, pipelining: 1 });
  const latencies = new Array<number>(msg.bodies.length);
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < msg.bodies.length; i = next++) {
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
      latencies[i] = performance.now() - t0;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: msg.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  const done: LoadDone = { type: "done", elapsedMs, latencies, statuses };
  process.send!(done);
});
process.send!({ type: "ready" });
