import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Task, TaskList } from "graphile-worker";
import type { JobDeps } from "./job-deps.ts";

const jobsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../jobs");

/** A job file's default export: builds the graphile-worker task from the app's dependencies. */
export type JobFactory = (deps: JobDeps) => Task;

/**
 * Loads every `jobs/<name>.ts` as the task `<name>` (graphile-worker's file-per-task convention,
 * with our dependencies injected instead of imported).
 */
export async function loadJobs(deps: JobDeps): Promise<TaskList> {
  const files = (await readdir(jobsDir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const tasks: TaskList = {};
  for (const file of files.sort()) {
    const mod = (await import(path.join(jobsDir, file))) as { default?: JobFactory };
    if (typeof mod.default !== "function") throw new Error(`jobs/${file} must export default a job factory`);
    tasks[file.slice(0, -3)] = mod.default(deps);
  }
  return tasks;
}
