/**
 * CPU seconds used by the workerd process behind one local `wrangler dev`, read from /proc
 * (Linux only). The bench reads it around the steady window, when nothing but gossip runs in
 * that process, to get CPU time per node per round that other load on the machine cannot
 * inflate the way it inflates wall-clock latencies.
 */
import { readdir, readFile } from "node:fs/promises";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface Stat {
  pid: number;
  comm: string;
  pgid: number;
  cpuSeconds: number;
}

async function readStat(pid: number): Promise<Stat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // comm is in parentheses and may contain spaces: split after the last ')'.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // After comm: state(0) ppid(1) pgrp(2) ... utime(11) stime(12).
    return {
      pid,
      comm,
      pgid: Number(fields[2]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

async function pids(): Promise<number[]> {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  return entries.filter((name) => /^\d+$/.test(name)).map(Number);
}

/**
 * The workerd processes started by the `wrangler dev` listening on `port`: wrangler runs in its
 * own process group (the e2e helper spawns it detached), and workerd inherits that group.
 * Empty when not on Linux or not found.
 */
export async function findWorkerdPids(port: number): Promise<number[]> {
  if (process.platform !== "linux") return [];
  const all = await pids();
  let group: number | undefined;
  for (const pid of all) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const args = cmdline.split("\0");
    const portAt = args.indexOf("--port");
    if (
      args.some((arg) => arg.includes("wrangler")) &&
      args.includes("dev") &&
      args[portAt + 1] === String(port)
    ) {
      group = (await readStat(pid))?.pgid;
      break;
    }
  }
  if (group === undefined) return [];
  const stats = await Promise.all(all.map(readStat));
  return stats.filter((s): s is Stat => s?.pgid === group && s.comm === "workerd").map((s) => s.pid);
}

/** Total CPU seconds (user + system) of these processes so far. */
export async function cpuSeconds(pidList: readonly number[]): Promise<number> {
  const stats = await Promise.all(pidList.map(readStat));
  return stats.reduce((sum, stat) => sum + (stat?.cpuSeconds ?? 0), 0);
}
