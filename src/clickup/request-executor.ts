import type { z } from "zod";
import { classifyError } from "./classify-error.ts";
import { ClickUpError } from "./clickup-error.ts";
import type { Clock } from "./clock.ts";
import type { FetchLike } from "./default-transport.ts";
import type { TokenRateLimiter } from "./token-rate-limiter.ts";

export interface RetryOptions {
  /** Retries after a 5xx, network error or timeout before giving up with clickup_down. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest we wait for a rate-limit window to reset before throwing rate_limited. */
  maxRateLimitWaitMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export interface RequestSpec<T extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path after the base URL, e.g. "/v2/list/123/task". */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  schema: T;
  signal?: AbortSignal;
  timeInStatus?: boolean;
}

export interface ExecutorDeps {
  baseUrl: string;
  token: string;
  fetch: FetchLike;
  limiter: TokenRateLimiter;
  clock: Clock;
  random: () => number;
  retry: RetryOptions;
}

const MAX_429_RETRIES = 5;

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends one logical request: paced by the token's limiter, retried on 429/5xx/network, parsed with zod. */
export async function execute<T extends z.ZodType>(
  deps: ExecutorDeps,
  spec: RequestSpec<T>,
): Promise<z.output<T>> {
  const { clock, retry, limiter } = deps;
  const label = `${spec.method} ${spec.path}`;
  const qs = spec.query?.toString();
  const url = `${deps.baseUrl}${spec.path}${qs ? `?${qs}` : ""}`;
  let failures = 0;
  let limited = 0;
  let lastProblem = "";

  for (;;) {
    const permit = await limiter.acquire(spec.signal);
    const timeout = AbortSignal.timeout(retry.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    let res: Response;
    let body: unknown;
    try {
      res = await deps.fetch(url, {
        method: spec.method,
        headers: {
          authorization: deps.token,
          accept: "application/json",
          ...(spec.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal,
      });
      permit.settle(res);
      body = await readBody(res);
    } catch (err) {
      permit.settle(null);
      if (spec.signal?.aborted) throw spec.signal.reason;
      lastProblem = timeout.aborted
        ? `no answer within ${retry.timeoutMs} ms`
        : `network error: ${String(err)}`;
      failures += 1;
      if (failures > retry.maxRetries) throw down(label, failures, lastProblem, undefined, err);
      await backoff(deps, failures, spec.signal);
      continue;
    }

    if (res.ok) {
      const parsed = spec.schema.safeParse(body);
      if (parsed.success) return parsed.data;
      throw new ClickUpError(
        "unexpected_response",
        `ClickUp's answer to ${label} lacks fields flowbot relies on (${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
          .join("; ")}). ClickUp may have changed its API; please report this message.`,
        { status: res.status, request: label, cause: parsed.error },
      );
    }

    if (res.status === 429) {
      limited += 1;
      const resetAt = limiter.reportedResetAt();
      const wait = resetAt === null ? retry.maxRateLimitWaitMs : resetAt - clock.now();
      if (limited > MAX_429_RETRIES || wait > retry.maxRateLimitWaitMs)
        throw classifyError({ status: 429, body, request: label });
      // The limiter now holds the server's reset, so the next acquire waits for it.
      continue;
    }
    if (res.status >= 500) {
      failures += 1;
      lastProblem = `HTTP ${res.status}`;
      if (failures > retry.maxRetries) throw down(label, failures, lastProblem, res.status, body);
      await backoff(deps, failures, spec.signal);
      continue;
    }
    throw classifyError({ status: res.status, body, request: label, timeInStatus: spec.timeInStatus });
  }
}

function down(label: string, attempts: number, problem: string, status: number | undefined, cause: unknown) {
  return new ClickUpError(
    "clickup_down",
    `ClickUp did not answer ${label} after ${attempts} attempts (last: ${problem}). It may be down or ` +
      "unreachable from this server: check https://status.clickup.com and the server's network; flowbot retries on its next run.",
    { status, request: label, cause },
  );
}

/** Exponential backoff with full jitter, so many callers hitting one outage do not retry in lockstep. */
function backoff(deps: ExecutorDeps, attempt: number, signal?: AbortSignal): Promise<void> {
  const cap = Math.min(deps.retry.maxDelayMs, deps.retry.baseDelayMs * 2 ** (attempt - 1));
  return deps.clock.sleep(cap / 2 + (deps.random() * cap) / 2, signal);
}
