import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface ListeningServer {
  /** e.g. http://127.0.0.1:53121 (no trailing slash) */
  url: string;
  close: () => Promise<void>;
}

/** Serves the fake on an ephemeral loopback port, for code paths that must use real sockets. */
export function listenOnLoopback(app: Hono): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      // Leaving the global Request/Response alone keeps other code in the same test worker unaffected.
      { fetch: app.fetch, hostname: "127.0.0.1", port: 0, overrideGlobalObjects: false },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              // Keep-alive sockets from fetch would otherwise hold close() open until they time out.
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
