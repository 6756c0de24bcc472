/**
 * The classic epidemic algorithms of Demers et al. (1987), "Epidemic algorithms for
 * replicated database maintenance", for comparison with hearsay's exchange. They spread one
 * update on the same virtual clock and network as the hearsay nodes (same loss, latency,
 * round interval, jitter and random round offsets), but keep no membership: every node knows
 * every other. Modelled here, not in the core:
 * - anti-entropy (`push`, `pull`, `push-pull`): every node contacts `fanout` random nodes per
 *   round; a push sends the update if the initiator has it, a pull request is answered with it
 *   if the partner has it. Runs until every node has it.
 * - rumor mongering: only infective nodes (that still find the update "hot") send it. With
 *   `feedback` the receiver tells the sender whether it already knew, and only unnecessary
 *   contacts count towards losing interest (a necessary one resets the count); `blind` counts
 *   every contact. `counter` removes a node after k counted contacts, `coin` with probability
 *   1/k at each (rules in `interest.ts`). Pull and push-pull rumor mongering ask random
 *   partners for hot rumors every round.
 * - flooding (direct mail): a node sends the update to every other node once, when it gets it.
 * Traffic counts update-carrying messages per node (the paper's m); requests and feedback
 * replies are counted in messagesPerNodeRound only. This is the asynchronous run (the
 * default); `sync-epidemic.ts` runs the same strategies in the paper's synchronous cycles.
 */
import type { GossipMode, Rng } from "../../core/index.js";
import { VirtualClock } from "../clock.js";
import type { Latency } from "../latency.js";
import { Network } from "../network.js";
import { losesInterest } from "./interest.js";

export type StrategyKind = "anti-entropy" | "rumor" | "flood";

export interface EpidemicOptions {
  kind: StrategyKind;
  nodes: number;
  mode: GossipMode;
  fanout: number;
  interest: "feedback" | "blind";
  stop: "counter" | "coin";
  k: number;
  loss: number;
  latency: Latency;
  intervalMs: number;
  jitter: number;
  maxRounds: number;
  rng: Rng;
}

export interface EpidemicResult {
  /** Fraction of nodes never informed when the epidemic ended. */
  residue: number;
  /** Update-carrying messages per node. */
  traffic: number;
  /** Mean rounds until a node was informed (informed nodes other than the origin). */
  tAve: number;
  /** Rounds until the last node was informed. */
  tLast: number;
  /** All messages (updates, requests, feedback) per node per round while it ran. */
  messagesPerNodeRound: number;
  /** Rounds until the epidemic ended (nobody infective, or everyone informed). */
  rounds: number;
  finished: boolean;
}

enum State {
  Susceptible = 0,
  Infective = 1,
  Removed = 2,
}

/**
 * When the sites other than `origin` were informed, summed up: the mean and the latest time
 * (sites never informed, at -1, are left out). Both modes report t_ave and t_last from it.
 */
export function informedTimes(informedAt: ArrayLike<number>, origin: number): { mean: number; last: number } {
  let sum = 0;
  let count = 0;
  let last = 0;
  for (let i = 0; i < informedAt.length; i++) {
    const at = informedAt[i] as number;
    if (i === origin || at < 0) continue;
    sum += at;
    count++;
    if (at > last) last = at;
  }
  return { mean: count > 0 ? sum / count : 0, last };
}

export function runEpidemic(o: EpidemicOptions): EpidemicResult {
  const clock = new VirtualClock(0);
  const rng = o.rng;
  const net = new Network(clock, { loss: o.loss, latency: o.latency, rng });
  const n = o.nodes;
  const state = new Uint8Array(n);
  const counter = new Uint16Array(n);
  const informedAt = new Float64Array(n).fill(-1);
  const names = Array.from({ length: n }, (_, i) => String(i));
  let informed = 0;
  let infective = 0;
  let inFlight = 0;
  let updates = 0;
  let messages = 0;
  const rumor = o.kind === "rumor";

  const inform = (i: number): boolean => {
    if (state[i] !== State.Susceptible) return false;
    state[i] = rumor ? State.Infective : State.Removed;
    if (rumor) infective++;
    informedAt[i] = clock.now;
    informed++;
    if (o.kind === "flood") for (let j = 0; j < n; j++) if (j !== i) send(i, j, true, () => inform(j));
    return true;
  };

  const send = (from: number, to: number, carriesUpdate: boolean, deliver: () => void): void => {
    messages++;
    if (carriesUpdate) updates++;
    const fromName = names[from] as string;
    const toName = names[to] as string;
    // Only updates in flight can still change the outcome once nobody is infective.
    if (carriesUpdate) inFlight++;
    const sent = net.send(fromName, toName, () => {
      if (carriesUpdate) inFlight--;
      deliver();
    });
    if (sent === null && carriesUpdate) inFlight--;
  };

  /** The sender (an infective node) learns how a contact went; `needless`: the partner knew. */
  const loseInterest = (i: number, needless: boolean | null): void => {
    if (state[i] !== State.Infective) return;
    if (losesInterest(o, counter, i, needless, rng)) {
      state[i] = State.Removed;
      infective--;
    }
  };

  const randomPeer = (i: number): number => {
    const j = Math.floor(rng() * (n - 1));
    return j >= i ? j + 1 : j;
  };

  const pushes = o.mode !== "pull";
  const pulls = o.mode !== "push";

  const round = (i: number): void => {
    if (o.kind !== "flood") {
      for (let c = 0; c < o.fanout; c++) contact(i, randomPeer(i));
    }
    clock.after(o.intervalMs * (1 + o.jitter * rng()), () => round(i));
  };

  const contact = (i: number, j: number): void => {
    if (o.kind === "anti-entropy") {
      if (pushes && state[i] !== State.Susceptible) send(i, j, true, () => inform(j));
      if (pulls) {
        send(i, j, false, () => {
          if (state[j] !== State.Susceptible) send(j, i, true, () => inform(i));
        });
      }
      return;
    }
    // Rumor mongering.
    if (pushes && state[i] === State.Infective) {
      send(i, j, true, () => {
        const needless = !inform(j);
        if (o.interest === "feedback") send(j, i, false, () => loseInterest(i, needless));
      });
      if (o.interest === "blind") loseInterest(i, null);
    }
    if (pulls) {
      // The request says whether the asker already has the rumor, so the answerer gets its
      // feedback with the request itself.
      const hadIt = state[i] !== State.Susceptible;
      send(i, j, false, () => {
        if (state[j] !== State.Infective) return;
        if (!hadIt) send(j, i, true, () => inform(i));
        loseInterest(j, hadIt);
      });
    }
  };

  const origin = Math.floor(rng() * n);
  for (let i = 0; i < n; i++) clock.after(rng() * o.intervalMs, () => round(i));
  inform(origin);
  const deadline = o.maxRounds * o.intervalMs;
  const finished = clock.runUntil(
    () =>
      rumor ? infective === 0 && inFlight === 0 : informed === n || (o.kind === "flood" && inFlight === 0),
    deadline,
  );
  const end = clock.now;
  const { mean, last } = informedTimes(informedAt, origin);
  const rounds = end / o.intervalMs;
  return {
    residue: (n - informed) / n,
    traffic: updates / n,
    tAve: mean / o.intervalMs,
    tLast: last / o.intervalMs,
    messagesPerNodeRound: messages / n / Math.max(rounds, 1e-9),
    rounds,
    finished,
  };
}
