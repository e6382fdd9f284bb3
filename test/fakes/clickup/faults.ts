import type { MiddlewareHandler } from "hono";

export interface FaultRequest {
  method: string;
  path: string;
  url: URL;
}

export interface InjectedFailure {
  status?: number;
  body?: unknown;
}

export interface Faults {
  /** The next `count` requests fail with `status` (default 500). */
  failNext(count: number, failure?: InjectedFailure): void;
  /** Fail every request the predicate picks (return true or a failure description). */
  failWhen(predicate: ((req: FaultRequest) => boolean | InjectedFailure) | null): void;
  /** Delay every response, by a fixed number of ms or per request. */
  setLatency(latency: number | ((req: FaultRequest) => number)): void;
  clear(): void;
}

export function createFaults(sleep: (ms: number) => Promise<void>) {
  let remaining = 0;
  let nextFailure: InjectedFailure = {};
  let predicate: ((req: FaultRequest) => boolean | InjectedFailure) | null = null;
  let latency: number | ((req: FaultRequest) => number) = 0;

  const faults: Faults = {
    failNext(count, failure = {}) {
      remaining = count;
      nextFailure = failure;
    },
    failWhen(p) {
      predicate = p;
    },
    setLatency(l) {
      latency = l;
    },
    clear() {
      remaining = 0;
      predicate = null;
      latency = 0;
    },
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    // Nothing armed: stay out of the way, benches push thousands of requests through here.
    if (remaining === 0 && predicate === null && latency === 0) return next();
    const url = new URL(c.req.url);
    const req = { method: c.req.method, path: url.pathname, url };
    const delay = typeof latency === "function" ? latency(req) : latency;
    if (delay > 0) await sleep(delay);
    let failure: InjectedFailure | null = null;
    if (remaining > 0) {
      remaining -= 1;
      failure = nextFailure;
    } else if (predicate) {
      const picked = predicate(req);
      if (picked) failure = picked === true ? {} : picked;
    }
    if (!failure) return next();
    const status = failure.status ?? 500;
    const body = failure.body ?? { err: "Internal server error", ECODE: "APP_001" };
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };

  return { faults, middleware };
}
