import type { Context } from "hono";
import type { FakeState } from "./state.ts";
import type { UserRec } from "./types.ts";

/** Hono env of the fake: the auth middleware puts the caller here. */
export interface FakeEnv {
  Variables: { user: UserRec; token: string };
}

/** What each route module receives. */
export interface RouteDeps {
  state: FakeState;
  now: () => number;
  options: { omitTeamTasksLastPage: boolean; doneCountsAsClosed: boolean };
}

/** `Authorization: pk_…` (raw) or `Bearer <token>` (OAuth) → the token string. */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  return header.startsWith("Bearer ") ? header.slice(7).trim() : header.trim();
}

export function boolParam(c: Context, name: string): boolean {
  return c.req.query(name) === "true";
}

/** Array params come as `key[]=a&key[]=b`; the bare `key=a` form is accepted too. */
export function arrayParam(c: Context, name: string): string[] | null {
  const values = [...(c.req.queries(`${name}[]`) ?? []), ...(c.req.queries(name) ?? [])];
  return values.length > 0 ? values : null;
}

export function intParam(c: Context, name: string): number | null {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}
