import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";

// flowbot as an operator runs it: `node src/main.ts` (what `npm start` runs) in its own process.
const root = path.resolve(import.meta.dirname, "../..");
/** The test runner's environment without anything that would configure flowbot. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(SLACK_|FLOWBOT_|DATABASE_URL|PORT|PUBLIC_URL|CLICKUP_|LOG_LEVEL)/.test(k),
  ),
);

export type FlowbotProcess = {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its JSON log lines so far (lines that are not JSON are left out). */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
};

/** Starts `node src/main.ts` with only `env` configuring it. */
export function startFlowbotProcess(env: Record<string, string>): FlowbotProcess {
  let out = "";
  const child = spawn(process.execPath, ["src/main.ts"], { cwd: root, env: { ...cleanEnv, ...env } });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    logLines: () =>
      out.split("\n").flatMap((line) => {
        if (!line.startsWith("{")) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
  };
}

/** Polls `url` until it answers 200. */
export async function waitForHealth(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free-looking port in a range no other test file uses. */
/**
 * A TCP port free right now, from the OS (listening on port 0): a random pick could be one the OS hands
 * out meanwhile to another test's server or outgoing connection.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The URL of the `flowbot` database on the embedded server a process started in `dataDir`, from the
 * port it logged and the password file it keeps.
 */
export async function embeddedDatabaseUrl(p: FlowbotProcess, dataDir: string): Promise<string> {
  const up = p.logLines().findLast((l) => l.msg === "embedded Postgres is up");
  if (!up) throw new Error(`the process has not started its embedded Postgres; output:\n${p.output()}`);
  const password = (await readFile(path.join(dataDir, "postgres", "password"), "utf8")).trim();
  return `postgres://flowbot:${encodeURIComponent(password)}@127.0.0.1:${up.port}/flowbot`;
}

/**
 * What a crash of the machine or container does: SIGKILL to the flowbot process and, when it runs the
 * embedded database in `dataDir`, to every Postgres process of that server (they outlive their parent,
 * and a real crash takes them down too). Resolves once all of them are gone.
 */
export async function killHard(p: FlowbotProcess, dataDir?: string): Promise<void> {
  const pids = dataDir ? await embeddedPostgresPids(dataDir) : [];
  p.child.kill("SIGKILL");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  await p.exited;
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) throw new Error(`postgres processes ${pids.filter(isAlive)} outlived SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The postmaster named in the cluster's postmaster.pid and its child processes. */
async function embeddedPostgresPids(dataDir: string): Promise<number[]> {
  const pidFile = await readFile(path.join(dataDir, "postgres", "data", "postmaster.pid"), "utf8");
  const postmaster = Number(pidFile.split("\n")[0]);
  const children: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // Fields after the parenthesised command name: state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === postmaster) children.push(Number(entry));
  }
  return [postmaster, ...children];
}

function isAlive(pid: number): boolean {
  // A killed orphan stays a zombie until init reaps it, and Postgres takes a zombie postmaster named in
  // postmaster.pid for a running server: only a process that is gone is gone.
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
