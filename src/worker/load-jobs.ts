import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Task, TaskList } from "graphile-worker";
import { isJobName, JOB_NAMES } from "./job-catalog.ts";
import type { JobDeps } from "./job-deps.ts";

const jobsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../jobs");

/** A job file's default export: builds the graphile-worker task from the app's dependencies. */
type JobFactory = (deps: JobDeps) => Task;

/**
 * Loads every `jobs/<name>.ts` as the task `<name>` (graphile-worker's file-per-task convention,
 * with our dependencies injected instead of imported). The files and the job catalog must name the
 * same tasks: a task without its declaration, or a declared task without its file, stops start-up.
 */
export async function loadJobs(deps: JobDeps): Promise<TaskList> {
  const files = (await readdir(jobsDir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
  const names = files.map((f) => f.slice(0, -3));
  const undeclared = names.filter((name) => !isJobName(name));
  if (undeclared.length > 0) {
    throw new Error(
      `${undeclared.map((n) => `jobs/${n}.ts`).join(", ")}: not in the job catalog; declare each task's payload, job key and attempts in src/worker/job-catalog.ts`,
    );
  }
  const missing = JOB_NAMES.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new Error(`the job catalog declares ${missing.join(", ")}, but jobs/ has no file for it`);
  }
  const tasks: TaskList = {};
  for (const file of files) {
    const mod = (await import(path.join(jobsDir, file))) as { default?: JobFactory };
    if (typeof mod.default !== "function") throw new Error(`jobs/${file} must export default a job factory`);
    tasks[file.slice(0, -3)] = mod.default(deps);
  }
  return tasks;
}
