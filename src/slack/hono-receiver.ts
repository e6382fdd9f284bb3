import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { AuthorizationError, ReceiverMultipleAckError } from "@slack/bolt";
import type { Logger } from "../log/create-logger.ts";
import type { SignedRequest } from "./access/claim-request.ts";
import { SIGNED_REQUEST_KEY } from "./access/slack-routes.ts";
import { verifySlackSignature } from "./verify-slack-signature.ts";

/** Largest Slack request body accepted by default; Slack payloads are far smaller. */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;

export type HonoReceiverOptions = {
  signingSecret: string;
  logger: Logger;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** How long a listener has to ack before Slack is answered 404 (Bolt: 3001 ms). */
  unackedTimeoutMs?: number;
  /** Largest body accepted (default 1 MiB; Slack payloads are far smaller). */
  maxBodyBytes?: number;
};

/**
 * A Bolt receiver on web-standard Request/Response, so the Bolt app runs inside Hono. It follows
 * Bolt's own HTTPReceiver: ssl_check skips the signature, a bad signature is 401, an unparsable
 * body 400, url_verification echoes the challenge, an unacked event answers 404 after ~3 s, and
 * a listener error is 401 (authorization) or 500 — unless the ack already went out.
 */
export class HonoReceiver implements Receiver {
  #app: App | undefined;
  readonly #options: Required<Omit<HonoReceiverOptions, "logger">> & { logger: Logger };

  constructor(options: HonoReceiverOptions) {
    // `??` rather than spread defaults: an option passed as undefined must not erase its default.
    this.#options = {
      ...options,
      now: options.now ?? Date.now,
      unackedTimeoutMs: options.unackedTimeoutMs ?? 3001,
      maxBodyBytes: options.maxBodyBytes ?? SLACK_MAX_BODY_BYTES,
    };
  }

  init(app: App): void {
    this.#app = app;
  }

  // The Hono server owns the port; Bolt's start/stop have nothing to open or close here.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async handle(request: Request): Promise<Response> {
    const { logger } = this.#options;
    const length = Number(request.headers.get("content-length") ?? "0");
    if (length > this.#options.maxBodyBytes) return new Response("payload too large", { status: 413 });
    const rawBody = await request.text();
    if (Buffer.byteLength(rawBody) > this.#options.maxBodyBytes) {
      return new Response("payload too large", { status: 413 });
    }
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const isForm = contentType === "application/x-www-form-urlencoded";

    if (isForm && new URLSearchParams(rawBody).get("ssl_check") === "1")
      return new Response(null, { status: 200 });

    const signature = request.headers.get("x-slack-signature");
    const timestamp = request.headers.get("x-slack-request-timestamp");
    const check = verifySlackSignature({
      signingSecret: this.#options.signingSecret,
      rawBody,
      signature,
      timestamp,
      nowMs: this.#options.now(),
    });
    if (!check.ok) {
      logger.warn({ reason: check.reason }, "refused a Slack request with a bad signature");
      return new Response("", { status: 401 });
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(rawBody, isForm);
    } catch {
      logger.warn({ contentType }, "refused a Slack request whose body does not parse");
      return new Response("bad request", { status: 400 });
    }

    if (body.type === "url_verification") return Response.json({ challenge: body.challenge });

    const app = this.#app;
    if (!app) return new Response("Slack app not initialised", { status: 503 });

    return new Promise<Response>((resolve) => {
      let acked = false;
      let answered = false;
      const answer = (response: Response) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(response);
      };
      const timer = setTimeout(() => {
        if (!acked) {
          logger.error(
            { type: body.type, command: body.command },
            "a Slack request was not acknowledged within 3 seconds",
          );
          answer(new Response("", { status: 404 }));
        }
      }, this.#options.unackedTimeoutMs);

      // The guard claims this signature before a handler runs, so the same bytes replayed run nothing.
      const signed: SignedRequest = { signature: signature!, timestampSeconds: Number(timestamp) };
      const event: ReceiverEvent = {
        body,
        customProperties: { [SIGNED_REQUEST_KEY]: signed },
        retryNum: numberOrUndefined(request.headers.get("x-slack-retry-num")),
        retryReason: request.headers.get("x-slack-retry-reason") ?? undefined,
        ack: async (response?: unknown) => {
          if (acked) throw new ReceiverMultipleAckError();
          acked = true;
          if (answered) {
            logger.warn("ack arrived after Slack's 3-second window had closed");
            return;
          }
          answer(toResponse(response));
        },
      };

      app.processEvent(event).catch((err: unknown) => {
        logger.error({ err }, "a Slack listener failed");
        if (!acked) {
          answer(new Response("", { status: err instanceof AuthorizationError ? 401 : 500 }));
        }
      });
    });
  }
}

function parseBody(rawBody: string, isForm: boolean): Record<string, unknown> {
  if (!isForm) return JSON.parse(rawBody) as Record<string, unknown>;
  const params = new URLSearchParams(rawBody);
  const payload = params.get("payload");
  if (payload !== null) return JSON.parse(payload) as Record<string, unknown>;
  return Object.fromEntries(params);
}

function toResponse(ackBody: unknown): Response {
  if (ackBody === undefined || ackBody === null || ackBody === "") return new Response(null, { status: 200 });
  if (typeof ackBody === "string") return new Response(ackBody, { status: 200 });
  return Response.json(ackBody);
}

function numberOrUndefined(value: string | null): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}
