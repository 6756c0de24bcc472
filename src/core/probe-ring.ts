/**
 * The probe ring: a shared probe schedule that spaces the probes of each member evenly in time.
 * Every node's wake phase is a hash of its name (`namePhase`), so every node knows when every
 * other wakes. The ring orders the other reachable members by that phase (M of them). A
 * node that stands before ring position p, sending `count` probes in wake period `shift`,
 * probes the members at p - 1 - shift - floor((k - 1/2) M / count) for k = 1..count. Member q
 * is then probed by the `count` nodes standing at about q + 1 + shift + those offsets: nodes whose phases are spaced
 * by about 1/count of the wake period, 1 / probesPerRound rounds apart. With every node on its own
 * shuffled order instead, the probes of a member arrive as a Poisson stream, and the wait for the
 * first after a crash has an exponential tail (docs/protocol.md, "The detection tail"). The
 * shift moves one position a period, so within M / count periods each node probes every member
 * (the round-robin bound), and a member's probers change gradually, keeping their spacing.
 * Views that differ a little (churn) only perturb the spacing; nobody is left unprobed for long,
 * as the shift walks every position.
 */
import { fmix64, fnv1a64, unitInterval } from "./hash64.js";
import type { MemberTable } from "./member-table.js";
import { REACHABLE } from "./peer-choice.js";
import type { PeerSets } from "./peer-sets.js";

/** Where in [0, 1) of a wake period a node named `name` wakes: the same on every node. */
export function namePhase(name: string): number {
  const hash = fnv1a64(name);
  const mixed = fmix64(hash.hi, hash.lo);
  return unitInterval(mixed.hi, mixed.lo);
}

/** The reachable members ordered by phase, rebuilt only when the reachable set changed. */
export class ProbeRing {
  private builtFor = -1;
  /** Table slots by phase, and their phases (bounded by the members). */
  private slots = new Int32Array(0);
  private phases = new Float64Array(0);

  /**
   * Up to `count` table slots to probe in the wake period numbered `period`, for the node of
   * phase `selfPhase`, none twice.
   */
  targets(peers: PeerSets, table: MemberTable, selfPhase: number, count: number, period: number): number[] {
    this.refresh(peers, table);
    const others = this.slots.length;
    if (others === 0 || count <= 0) return [];
    const self = this.positionOf(selfPhase);
    const chosen = new Set<number>();
    for (let k = 1; k <= count; k++) {
      const offset = Math.floor(((k - 0.5) * others) / count);
      const at = (((self - 1 - (period % others) - offset) % others) + others) % others;
      chosen.add(this.slots[at] as number);
    }
    return [...chosen];
  }

  /** Members before `phase` in the ring: this node's position. */
  private positionOf(phase: number): number {
    let low = 0;
    let high = this.phases.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.phases[mid] as number) < phase) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private refresh(peers: PeerSets, table: MemberTable): void {
    if (this.builtFor === peers.version) return;
    this.builtFor = peers.version;
    const byPhase = Array.from(peers.slotsOf(REACHABLE), (slot) => ({
      slot,
      phase: namePhase(table.name(slot)),
    }));
    byPhase.sort((a, b) => a.phase - b.phase);
    this.slots = Int32Array.from(byPhase, (entry) => entry.slot);
    this.phases = Float64Array.from(byPhase, (entry) => entry.phase);
  }
}
