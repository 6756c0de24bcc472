/**
 * What the soak's driver knows: which nodes it has down (stopped or hung) and since when,
 * every generation each node's own view reported, every write it made and how it ended, and
 * the fault calls that failed. The checks judge the mesh against this record.
 */
import type { NodeView } from "../../src/node/rpc-types.js";
import { ApiCallError } from "../mesh/api-client.js";
import type { AckedWrite, Action, WriteStats } from "./soak-result.js";

/** What a node/key pair must read at the end. */
export interface Expectation {
  /** Latest acknowledged value (null: none yet). */
  value: string | null;
  version: number;
  /** Values of later writes whose outcome is unknown (timeout, 5xx): either may be there. */
  maybe: string[];
}

/** The API's error code when `error` is a refusal (4xx: nothing was done), else null. */
export function refusal(error: unknown): string | null {
  if (!(error instanceof ApiCallError) || error.status < 400 || error.status >= 500) return null;
  return /"code":"([a-z_]+)"/.exec(error.body)?.[1] ?? String(error.status);
}

/** Fault errors kept for the report (the count goes on). */
const LAST_ERRORS_KEPT = 20;

export class SoakLedger {
  /** Nodes down now: stopped or hung by the driver. */
  readonly down = new Set<string>();
  /** Per node: [from, generation] in time order; the generation its own view reported. */
  readonly generations = new Map<string, Array<[number, number]>>();
  /** Per node: [from, to] spans in which the driver had it down (unreachable). */
  readonly downtime = new Map<string, Array<[number, number]>>();
  /** Per "node/key": what every view must hold for it at the end. */
  readonly expected = new Map<string, Expectation>();
  /** Per node: the highest version it acknowledged. */
  readonly highestVersion = new Map<string, number>();
  readonly acked: AckedWrite[] = [];
  readonly writes: WriteStats = { acknowledged: 0, refused: 0, uncertain: 0, refusedBy: {} };
  readonly faults = { failed: 0, lastErrors: [] as string[] };
  readonly actions: Record<Action | "keeper", number> = {
    write: 0,
    stop: 0,
    start: 0,
    restart: 0,
    evict: 0,
    deleteAlarm: 0,
    keeper: 0,
  };
  private writeSeq = 0;

  noteFault(what: string, error: unknown): void {
    this.faults.failed++;
    this.faults.lastErrors.push(`${new Date().toISOString()} ${what}: ${String(error).slice(0, 200)}`);
    if (this.faults.lastErrors.length > LAST_ERRORS_KEPT) this.faults.lastErrors.shift();
  }

  noteGeneration(view: NodeView): void {
    const list = this.generations.get(view.node) ?? [];
    const last = list.at(-1);
    if (!last || last[1] !== view.generation) list.push([view.at, view.generation]);
    this.generations.set(view.node, list);
  }

  markDown(node: string, at: number): void {
    this.down.add(node);
    const spans = this.downtime.get(node) ?? [];
    spans.push([at, Number.POSITIVE_INFINITY]);
    this.downtime.set(node, spans);
  }

  markUp(node: string, at: number): void {
    this.down.delete(node);
    const last = this.downtime.get(node)?.at(-1);
    if (last && last[1] === Number.POSITIVE_INFINITY) last[1] = at;
  }

  /** The next write's sequence number and the value unique to it. */
  nextWrite(node: string, key: string): { seq: number; value: string } {
    const seq = ++this.writeSeq;
    return { seq, value: `${node}.${key}.${seq}` };
  }

  /** Records how a write ended: acknowledged (`version`), or the error it met. */
  recordWrite(node: string, key: string, seq: number, value: string, outcome: number | unknown): void {
    const id = `${node}/${key}`;
    if (typeof outcome === "number") {
      this.acked.push({ seq, node, key, value, version: outcome, at: Date.now() });
      this.expected.set(id, { value, version: outcome, maybe: [] });
      this.highestVersion.set(node, Math.max(this.highestVersion.get(node) ?? 0, outcome));
      this.writes.acknowledged++;
      return;
    }
    const code = refusal(outcome);
    if (code !== null) {
      this.writes.refused++;
      this.writes.refusedBy[code] = (this.writes.refusedBy[code] ?? 0) + 1;
      return;
    }
    // Timed out or failed on the way: it may or may not have been stored.
    this.writes.uncertain++;
    const expectation = this.expected.get(id) ?? { value: null, version: 0, maybe: [] };
    expectation.maybe.push(value);
    this.expected.set(id, expectation);
  }

  /**
   * True when a dead declaration of `node` in `generation` at `at` was the truth: the driver
   * had it down then (one interval of slack for the news in flight), or a later generation
   * had replaced that one.
   */
  explainsDeath(node: string, generation: number, at: number, slackMs: number): boolean {
    const spans = this.downtime.get(node) ?? [];
    if (spans.some(([from, to]) => at >= from && at <= to + slackMs)) return true;
    const list = this.generations.get(node) ?? [];
    const current = list.filter(([from]) => from <= at).at(-1)?.[1];
    return current === undefined || generation < current;
  }
}
