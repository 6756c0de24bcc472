/**
 * One soak in progress: the mesh's names, the driver's seeded choices and record, the counter
 * totals and the event logs, and the calls every step makes through them (each call that
 * changes a node also records what it did, and each view read is sampled).
 */

import { type Rng, randomInt, seededRng } from "../../src/core/random.js";
import type { NodeView } from "../../src/node/rpc-types.js";
import { mapLimit } from "../../src/shared/map-limit.js";
import { pollUntil } from "../../tools/poll.js";
import type { SoakClient } from "./client.js";
import { CounterTotals } from "./counters.js";
import { EventLogs } from "./event-logs.js";
import { SoakLedger } from "./ledger.js";
import type { SoakConfig } from "./soak-config.js";

/** Views read at once. */
const CONCURRENCY = 8;

export type Log = (line: string) => void;

export class SoakRun {
  readonly rng: Rng;
  readonly names: string[];
  readonly protectedNames: string[];
  readonly isProtected: Set<string>;
  readonly faultable: string[];
  readonly ledger = new SoakLedger();
  readonly counters: CounterTotals;
  readonly logs: EventLogs;

  constructor(
    readonly client: SoakClient,
    readonly config: SoakConfig,
    readonly log: Log,
  ) {
    this.rng = seededRng(config.seed);
    this.names = Array.from({ length: config.nodes }, (_, i) => `n${i}`);
    this.protectedNames = this.names.slice(0, config.protectedNodes);
    this.isProtected = new Set(this.protectedNames);
    this.faultable = this.names.filter((name) => !this.isProtected.has(name));
    this.counters = new CounterTotals(this.names);
    this.logs = new EventLogs(client, this.names);
  }

  /** Nodes the driver has running (not stopped, not hung). */
  running(): string[] {
    return this.names.filter((name) => !this.ledger.down.has(name));
  }

  pick<T>(from: readonly T[]): T {
    return from[randomInt(this.rng, from.length)] as T;
  }

  /** Records a view: the node's generation and its counters. */
  sample(view: NodeView): void {
    if (this.counters.add(view)) this.ledger.noteGeneration(view);
  }

  /** Every listed node's view (all nodes by default), sampled; a failed read throws. */
  async views(nodes: readonly string[] = this.names): Promise<NodeView[]> {
    const views = await mapLimit(nodes, CONCURRENCY, (node) => this.client.view(node));
    for (const view of views) this.sample(view);
    return views;
  }

  /** Every node's view that could be read, sampled (null for the others). */
  sampleAll(): Promise<Array<NodeView | null>> {
    return mapLimit(this.names, CONCURRENCY, async (node) => {
      const view = await this.client.view(node).catch(() => null);
      if (view) this.sample(view);
      return view;
    });
  }

  async write(node: string): Promise<void> {
    this.ledger.actions.write++;
    const key = `k${randomInt(this.rng, this.config.keysPerNode)}`;
    const { seq, value } = this.ledger.nextWrite(node, key);
    const outcome = await this.client.put(node, key, value).then(
      ({ version }) => version,
      (error: unknown) => error,
    );
    this.ledger.recordWrite(node, key, seq, value, outcome);
  }

  async stop(node: string): Promise<void> {
    const view = await this.client.stop(node);
    this.ledger.markDown(node, Date.now());
    this.sample(view);
  }

  /** Hangs a node: it answers no peer until started, in the same generation. */
  async hang(node: string): Promise<void> {
    const view = await this.client.hang(node);
    this.ledger.markDown(node, Date.now());
    this.sample(view);
  }

  async start(node: string): Promise<NodeView> {
    const view = await this.client.start(node);
    this.ledger.markUp(node, Date.now());
    this.sample(view);
    return view;
  }

  /** Runs the cron keeper once (a failure is recorded, not thrown). */
  async keeper(): Promise<void> {
    this.ledger.actions.keeper++;
    await this.client.triggerScheduled().catch((error) => this.ledger.noteFault("keeper", error));
  }

  /** The interval in rounds: `ms` over the mesh's gossip interval. */
  rounds(ms: number): number {
    return ms / this.config.intervalMs;
  }
}

/** Polls `check` until it holds; throws at the deadline. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  everyMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  await pollUntil(async () => ((await check()) ? true : undefined), { what, timeoutMs, everyMs });
}
