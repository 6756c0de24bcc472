/**
 * The classic strategies of `epidemic.ts` in synchronous cycles, as Demers et al. (1987)
 * simulate them (`--sync`). In cycle t (1, 2, ...) every node acts on what it knew when the
 * cycle began: a node that first receives the update in cycle t has time t and forwards it
 * from cycle t+1 on. Contacts of one cycle are simultaneous: a push to a node that did not
 * know the update when the cycle began is necessary, even when another push reached it
 * earlier in the same cycle. The origin knows the update at time 0. There is no clock,
 * latency or jitter; `loss` drops each message independently. Interest is lost by the same
 * rules as in the asynchronous run (`interest.ts`).
 */
import type { Rng } from "../../core/index.js";
import { type EpidemicOptions, type EpidemicResult, informedTimes } from "./epidemic.js";
import { losesInterest } from "./interest.js";

export interface SyncEpidemicResult extends EpidemicResult {
  /** Cycle in which each node first received the update: 0 for the origin, -1 never. */
  informedAt: Int32Array;
  origin: number;
}

/** Told of every update-carrying message as it is sent. */
export type SendObserver = (cycle: number, from: number, to: number) => void;

export function runSyncEpidemic(
  o: Omit<EpidemicOptions, "latency" | "intervalMs" | "jitter">,
  onSend?: SendObserver,
): SyncEpidemicResult {
  const rng: Rng = o.rng;
  const n = o.nodes;
  const informedAt = new Int32Array(n).fill(-1);
  const removed = new Uint8Array(n);
  const counters = new Uint16Array(n);
  const rumor = o.kind === "rumor";
  const pushes = o.mode !== "pull";
  const pulls = o.mode !== "push";
  let informed = 1;
  let updates = 0;
  let messages = 0;
  let cycle = 0;
  /** Nodes that first received the update in the cycle being run. */
  let fresh: number[] = [];

  const origin = Math.floor(rng() * n);
  informedAt[origin] = 0;
  /** Rumor: infective nodes; flood: nodes that still have to mail everyone. */
  let active: number[] = o.kind === "anti-entropy" ? [] : [origin];

  const knewBefore = (i: number): boolean => {
    const at = informedAt[i] as number;
    return at >= 0 && at < cycle;
  };
  const arrives = (): boolean => o.loss === 0 || rng() >= o.loss;
  const sendUpdate = (from: number, to: number): boolean => {
    messages++;
    updates++;
    onSend?.(cycle, from, to);
    if (!arrives()) return false;
    if (informedAt[to] === -1) {
      informedAt[to] = cycle;
      informed++;
      fresh.push(to);
    }
    return true;
  };
  const randomPeer = (i: number): number => {
    const j = Math.floor(rng() * (n - 1));
    return j >= i ? j + 1 : j;
  };
  const drop = (i: number): void => {
    removed[i] = 1;
  };

  const rumorCycle = (): void => {
    // Infective when the cycle began. A node that loses interest during the cycle still makes
    // and answers this cycle's contacts; it is removed from the next one.
    const hot = new Uint8Array(n);
    for (const i of active) hot[i] = 1;
    if (pushes) {
      for (const i of active) {
        for (let c = 0; c < o.fanout; c++) {
          const j = randomPeer(i);
          const needless = knewBefore(j);
          const arrived = sendUpdate(i, j);
          if (o.interest === "blind") {
            if (losesInterest(o, counters, i, null, rng)) drop(i);
          } else if (arrived) {
            messages++; // the feedback reply
            if (arrives() && losesInterest(o, counters, i, needless, rng)) drop(i);
          }
        }
      }
    }
    if (pulls) {
      // Every node asks for hot rumors; the request says whether the asker already has this one.
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < o.fanout; c++) {
          const j = randomPeer(i);
          messages++;
          if (!arrives() || !hot[j]) continue;
          const hadIt = knewBefore(i);
          if (!hadIt) sendUpdate(j, i);
          if (losesInterest(o, counters, j, hadIt, rng)) drop(j);
        }
      }
    }
    active = active.filter((i) => !removed[i]).concat(fresh);
  };

  const antiEntropyCycle = (): void => {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < o.fanout; c++) {
        const j = randomPeer(i);
        if (pushes && knewBefore(i)) sendUpdate(i, j);
        if (pulls) {
          messages++;
          if (arrives() && knewBefore(j)) sendUpdate(j, i);
        }
      }
    }
  };

  const floodCycle = (): void => {
    for (const i of active) for (let j = 0; j < n; j++) if (j !== i) sendUpdate(i, j);
    active = fresh;
  };

  const done = (): boolean => (o.kind === "anti-entropy" ? informed === n : active.length === 0);
  while (!done() && cycle < o.maxRounds) {
    cycle++;
    fresh = [];
    if (rumor) rumorCycle();
    else if (o.kind === "flood") floodCycle();
    else antiEntropyCycle();
  }

  const { mean, last } = informedTimes(informedAt, origin);
  return {
    residue: (n - informed) / n,
    traffic: updates / n,
    tAve: mean,
    tLast: last,
    messagesPerNodeRound: messages / n / Math.max(cycle, 1),
    rounds: cycle,
    finished: done(),
    informedAt,
    origin,
  };
}
