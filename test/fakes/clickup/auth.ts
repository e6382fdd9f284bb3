import type { MiddlewareHandler } from "hono";
import { cuError } from "./errors.ts";
import { type FakeEnv, tokenFromHeader } from "./http.ts";
import { type FakeState, mustGet } from "./state.ts";

/** Resolves the token to a user: OAUTH_017 without a header, OAUTH_025 for an unknown or revoked token. */
export function authMiddleware(state: FakeState): MiddlewareHandler<FakeEnv> {
  return async (c, next) => {
    const token = tokenFromHeader(c.req.header("authorization"));
    if (!token) return cuError(c, 401, "Authorization header required", "OAUTH_017");
    const userId = state.tokens.get(token);
    if (userId === undefined) return cuError(c, 401, "Token invalid", "OAUTH_025");
    c.set("user", mustGet(state.users, userId, "user"));
    c.set("token", token);
    return next();
  };
}
