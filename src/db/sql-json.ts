import type { JSONValue, Sql, TransactionSql } from "postgres";

/**
 * `value` as a JSON parameter of a raw query (postgres.js encodes it once, typed json/jsonb). postgres.js
 * types JSON values with an index signature, which named object types and interfaces do not have, so the
 * cast is here rather than at every call; `value` must be what JSON.stringify can encode.
 */
export function sqlJson(sql: Sql | TransactionSql, value: unknown) {
  return sql.json(value as JSONValue);
}
