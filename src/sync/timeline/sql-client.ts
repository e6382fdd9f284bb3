import type { Sql, TransactionSql } from "postgres";

/** The app's postgres.js pool, or a transaction on it. */
export type SqlClient = Sql | TransactionSql;

/** Runs `fn` in a transaction: `sql`'s own when it already is one, a new one otherwise. */
export async function inTransaction<T>(sql: SqlClient, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  if ("begin" in sql && typeof sql.begin === "function") {
    return (await (sql as Sql).begin((tx) => fn(tx))) as T;
  }
  return fn(sql as TransactionSql);
}
