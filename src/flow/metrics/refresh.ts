import type { Sql, TransactionSql } from "postgres";

/*
 * The per-case flow facts (flow_cases, flow_case_status) follow the data by themselves: database
 * triggers rebuild a case when its transitions, timings or row change, and re-derive a project's stages
 * when its stage_overrides change. These functions are for doing it explicitly (e.g. after a bulk load
 * with triggers disabled, or to repair).
 */

/** Rebuilds every case of a project from its timeline. */
export async function rebuildProjectFlow(sql: Sql | TransactionSql, projectId: number): Promise<void> {
  await sql`select flowbot_rebuild_project_flow_facts(${projectId}::bigint)`;
}
