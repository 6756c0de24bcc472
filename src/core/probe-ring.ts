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

/**
 * The reachable members ordered by phase, refreshed when the peer sets changed. A member's phase
 * is hashed once per table slot and name, and the order of every member seen is kept: a refresh
 * in which no new member became reachable (a suspicion, a death, a refutation, each of which
 * changes the peer sets) only drops the unreachable from that order, with no hash and no sort.
 * Hashing and sorting every member on each such change cost a quiet N=1000 mesh about a sixth
 * of its simulated time.
 */
export class ProbeRing {
  private builtFor = -1;
  /** Table slots by phase, and their phases (bounded by the members). */
  private slots = new Int32Array(0);
  private phases = new Float64Array(0);
  /** By table slot: the name its phase was hashed for, and that phase. */
  private named: (string | undefined)[] = [];
  private phaseOf = new Float64Array(0);
  /** Every slot reachable at the last sort, by phase; `sorted[slot]` is 1 for each of them. */
  private order: Int32Array = new Int32Array(0);
  private sorted = new Uint8Array(0);
  /** Scratch marks of the reachable slots, cleared after each refresh. */
  private marks = new Uint8Array(0);

  /**
   * Up to `count` table slots to probe in the wake period numbered `period`, for the node of
   * phase `selfPhase`, none twice.
   */
  targets(peers: PeerSets, table: MemberTable, selfPhase: number, count: number, period: number): number[] {
    this.refresh(peers, table);
    const others = this.slots.length;
    if (others === 0 || count <= 0) return [];
    const self = this.positionOf(selfPhase);
    // A few targets (count is about probesPerRound x rounds): a list kept unique, not a set.
    const chosen: number[] = [];
    for (let k = 1; k <= count; k++) {
      const offset = Math.floor(((k - 0.5) * others) / count);
      const at = (((self - 1 - (period % others) - offset) % others) + others) % others;
      const slot = this.slots[at] as number;
      if (!chosen.includes(slot)) chosen.push(slot);
    }
    return chosen;
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
    const reachable = peers.slotsOf(REACHABLE);
    this.fit(table.slotCapacity);
    let resort = false;
    for (const slot of reachable) {
      const name = table.name(slot);
      if (this.named[slot] !== name) {
        this.named[slot] = name;
        this.phaseOf[slot] = namePhase(name);
        resort = true;
      } else if (this.sorted[slot] === 0) resort = true;
      this.marks[slot] = 1;
    }
    if (resort) {
      const phaseOf = this.phaseOf;
      this.sorted.fill(0);
      for (const slot of reachable) this.sorted[slot] = 1;
      this.order = reachable.sort((a, b) => (phaseOf[a] as number) - (phaseOf[b] as number));
    }
    const slots = new Int32Array(reachable.length);
    const phases = new Float64Array(reachable.length);
    let at = 0;
    for (const slot of this.order) {
      if (this.marks[slot] === 0) continue;
      slots[at] = slot;
      phases[at++] = this.phaseOf[slot] as number;
    }
    for (const slot of reachable) this.marks[slot] = 0;
    this.slots = slots;
    this.phases = phases;
  }

  /** Makes room for every slot below `capacity`. */
  private fit(capacity: number): void {
    if (this.phaseOf.length >= capacity) return;
    const phaseOf = new Float64Array(capacity);
    phaseOf.set(this.phaseOf);
    this.phaseOf = phaseOf;
    const sorted = new Uint8Array(capacity);
    sorted.set(this.sorted);
    this.sorted = sorted;
    this.marks = new Uint8Array(capacity);
  }
}
