import { Agent, fetch as undiciFetch } from "undici";

/** The subset of `fetch` the client needs; tests pass the in-process ClickUp fake's fetch. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

// One keep-alive pool for every client in the process: ClickUp calls come in bursts from sync jobs,
// and reconnecting TLS for each of them would cost more than the requests themselves.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });

export const defaultFetch: FetchLike = async (input, init) =>
  (await undiciFetch(input, {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: agent,
  })) as unknown as Response;
