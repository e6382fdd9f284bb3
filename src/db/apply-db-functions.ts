import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sql } from "postgres";

/** Where the only, current definition of every flowbot_* SQL function and of its triggers lives. */
const DB_FUNCTIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../db/functions");

export type DbFunctionFile = { file: string; text: string; checksum: string };

/** What the files in db/functions/ declare. */
export type Declared = { functions: Set<string>; triggers: Set<string> };

export async function readDbFunctionFiles(dir = DB_FUNCTIONS_DIR): Promise<DbFunctionFile[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (file) => {
      const text = await readFile(path.join(dir, file), "utf8");
      return { file, text, checksum: createHash("sha256").update(text).digest("hex") };
    }),
  );
}

/** The function and trigger names the files create (`CREATE OR REPLACE FUNCTION|TRIGGER name`). */
export function declaredIn(files: readonly DbFunctionFile[]): Declared {
  const declared: Declared = { functions: new Set(), triggers: new Set() };
  for (const { text } of files) {
    for (const m of text.matchAll(/^\s*CREATE\s+OR\s+REPLACE\s+(FUNCTION|TRIGGER)\s+(\w+)/gim)) {
      (m[1]!.toUpperCase() === "FUNCTION" ? declared.functions : declared.triggers).add(m[2]!.toLowerCase());
    }
  }
  return declared;
}

/** The flowbot_* functions in the public schema, and the triggers that call one. */
export async function installedDefinitions(sql: Sql): Promise<{
  functions: { name: string; signature: string }[];
  triggers: { name: string; table: string }[];
}> {
  const functions = await sql<{ name: string; signature: string }[]>`
    select p.proname as name, p.oid::regprocedure::text as signature
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname like 'flowbot\\_%'
    order by 1, 2`;
  const triggers = await sql<{ name: string; table: string }[]>`
    select t.tgname as name, c.relname as table
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_proc p on p.oid = t.tgfoid
    where not t.tgisinternal and n.nspname = 'public' and p.proname like 'flowbot\\_%'
    order by 1, 2`;
  return { functions, triggers };
}

/**
 * Brings the database's flowbot_* functions and triggers to db/functions/, after the versioned migrations
 * and under the same advisory lock (the caller holds it). Does nothing when every file's checksum is the
 * one recorded. Otherwise, in one transaction: drops the flowbot_* functions and the triggers no file
 * declares, runs every file (each re-runnable: CREATE OR REPLACE; all of them, since a dropped function
 * takes the triggers that call it along), records the checksums, and lists
 * every case for a flow-facts rebuild — a changed definition may change what its facts should be, and the
 * rebuild-flow-facts job (queued at worker start-up when any case is listed) re-derives them.
 * @returns the files that had changed.
 */
export async function applyDbFunctions(sql: Sql, files?: DbFunctionFile[]): Promise<string[]> {
  const current = files ?? (await readDbFunctionFiles());
  const recorded = new Map(
    (await sql<{ file: string; checksum: string }[]>`select file, checksum from db_function_files`).map(
      (r) => [r.file, r.checksum],
    ),
  );
  const changed = current.filter((f) => recorded.get(f.file) !== f.checksum);
  const gone = [...recorded.keys()].filter((file) => !current.some((f) => f.file === file));
  if (changed.length === 0 && gone.length === 0) return [];

  const declared = declaredIn(current);
  await sql.begin(async (tx) => {
    // Bodies refer to functions defined in other files; they are checked when first run instead.
    await tx`set local check_function_bodies = off`;
    const installed = await installedDefinitions(tx as unknown as Sql);
    for (const t of installed.triggers) {
      if (!declared.triggers.has(t.name))
        await tx.unsafe(`drop trigger if exists "${t.name}" on "${t.table}"`);
    }
    for (const f of installed.functions) {
      if (!declared.functions.has(f.name)) await tx.unsafe(`drop function if exists ${f.signature} cascade`);
    }
    for (const f of current) await tx.unsafe(f.text);
    for (const f of changed) {
      await tx`
        insert into db_function_files (file, checksum) values (${f.file}, ${f.checksum})
        on conflict (file) do update set checksum = excluded.checksum, applied_at = now()`;
    }
    if (gone.length > 0) await tx`delete from db_function_files where file = any(${gone}::text[])`;
    await tx`insert into flow_dirty_cases (case_id) select id from tracked_cases on conflict do nothing`;
  });
  return changed.map((f) => f.file);
}
