/**
 * Who owns a key: weighted rendezvous hashing (highest random weight; Thaler and Ravishankar,
 * 1996) over the alive members of one view, a pure function of that view. Every member scores
 * the key, `-weight / ln(u)` with `u` in (0, 1) from a 64-bit hash of (key, member) (the
 * logarithmic method of Schindelhauer and Schomaker's weighted distributed hash tables), and
 * the highest scores own it, in order. A member wins a key with probability weight / sum of
 * weights, and adding or removing a member moves only the keys it wins or held.
 *
 * The hash: `u` is the top 52 bits of fmix64(K xor M), where K = fmix64(fnv1a64(key)) and
 * M = fmix64(fnv1a64(member name)) (hash64.ts). M is computed once per table, K once per
 * key, so a lookup is one cheap mix and one logarithm per member, and a top-n selection
 * (not a sort). Ties (practically never) go to the smaller name.
 *
 * `region` puts that region's members first, each group ranked by score. Gossip gives
 * convergence, not agreement: two nodes name the same owners once their views agree.
 */
import { fmix64, fmix64Unit, fnv1a64, type U64 } from "./hash64.js";
import type { MemberView } from "./types.js";

/** Which members may own keys: nodes (the default), agents, or both. */
export const OWNER_KINDS = ["node", "agent", "any"] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** Owners per key when not asked, and the most one lookup may ask for. */
export const OWNERS_DEFAULT_N = 3;
export const OWNERS_MAX_N = 16;
/** Most keys in one batch lookup, and the longest key, in UTF-8 bytes. */
export const OWNERS_MAX_KEYS = 1000;
export const OWNERS_MAX_KEY_BYTES = 256;
/** The state key a member sets to its weight. */
export const WEIGHT_KEY = "weight";
/** A weight's text: a plain decimal number (`2`, `0.5`, `1e3`). */
const WEIGHT_PATTERN = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Below 1 by far more than Math.log's error, so the skip never drops a member that would rank. */
const SKIP_MARGIN = 1 - 1e-9;

/** One owner of a key, as answered. */
export interface Owner {
  node: string;
  kind: "node" | "agent";
  region: string | null;
  weight: number;
}

export interface OwnersOptions {
  /** Owners wanted, 1..OWNERS_MAX_N (fewer when fewer members qualify); default 3. */
  n?: number;
  /** This region's members first. */
  region?: string;
}

/** A member's weight: its `weight` key when that is a positive finite number, else 1. */
export function memberWeight(state: Readonly<Record<string, string>> | undefined): number {
  const text = state?.[WEIGHT_KEY];
  if (text === undefined || !WEIGHT_PATTERN.test(text)) return 1;
  const weight = Number(text);
  return weight > 0 && Number.isFinite(weight) ? weight : 1;
}

/** Whether a member of this kind may own keys under `kind`. */
function kindMatches(member: MemberView, kind: OwnerKind): boolean {
  return kind === "any" || (member.kind ?? "node") === kind;
}

/**
 * The candidates of one view, hashed once: build it per view (or per request) and look up
 * any number of keys against it.
 */
export class OwnerTable {
  readonly owners: readonly Owner[];
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly weights: Float64Array;
  private readonly mix: U64 = { hi: 0, lo: 0 };
  // Scratch for the top-n selection, reused by every lookup.
  private readonly best = new Int32Array(OWNERS_MAX_N);
  private readonly bestScore = new Float64Array(OWNERS_MAX_N);
  private readonly bestGroup = new Uint8Array(OWNERS_MAX_N);

  constructor(view: readonly MemberView[], kind: OwnerKind = "node") {
    const owners: Owner[] = [];
    for (const member of view) {
      if (member.status !== "alive" || !kindMatches(member, kind)) continue;
      owners.push({
        node: member.node,
        kind: member.kind ?? "node",
        region: member.region ?? null,
        weight: memberWeight(member.state),
      });
    }
    this.owners = owners;
    this.hi = new Uint32Array(owners.length);
    this.lo = new Uint32Array(owners.length);
    this.weights = new Float64Array(owners.length);
    const hash: U64 = { hi: 0, lo: 0 };
    owners.forEach((owner, i) => {
      fnv1a64(owner.node, hash);
      fmix64(hash.hi, hash.lo, hash);
      this.hi[i] = hash.hi;
      this.lo[i] = hash.lo;
      this.weights[i] = owner.weight;
    });
  }

  /** Candidates: alive members of the table's kind. */
  get size(): number {
    return this.owners.length;
  }

  /** The key's owners in preference order (at most n; fewer when fewer members qualify). */
  lookup(key: string, options: OwnersOptions = {}): Owner[] {
    const asked =
      options.n !== undefined && Number.isFinite(options.n) ? Math.floor(options.n) : OWNERS_DEFAULT_N;
    const n = Math.min(Math.max(1, asked), OWNERS_MAX_N, this.size);
    if (n === 0) return [];
    const region = options.region;
    const mix = this.mix;
    fnv1a64(key, mix);
    fmix64(mix.hi, mix.lo, mix);
    const keyHi = mix.hi;
    const keyLo = mix.lo;
    const { best, bestScore, bestGroup, owners, hi, lo, weights } = this;
    let count = 0;
    // Once the top n is full, the score to beat: members that cannot reach it skip the log.
    let floor = 0;
    let floorGroup = 2;
    for (let i = 0; i < owners.length; i++) {
      const group = region !== undefined && (owners[i] as Owner).region === region ? 0 : 1;
      if (group > floorGroup) continue;
      const u = fmix64Unit((keyHi ^ (hi[i] as number)) >>> 0, (keyLo ^ (lo[i] as number)) >>> 0);
      const weight = weights[i] as number;
      // -ln(u) >= 1 - u, so the score is at most weight / (1 - u): well below the floor, skip.
      if (group === floorGroup && weight < floor * (1 - u) * SKIP_MARGIN) continue;
      const score = -weight / Math.log(u);
      if (count === n && !this.ranksAbove(group, score, i, n - 1)) continue;
      // Insert into the sorted top-n, dropping the last when full.
      let at = count < n ? count++ : n - 1;
      while (at > 0 && this.ranksAbove(group, score, i, at - 1)) {
        best[at] = best[at - 1] as number;
        bestScore[at] = bestScore[at - 1] as number;
        bestGroup[at] = bestGroup[at - 1] as number;
        at--;
      }
      best[at] = i;
      bestScore[at] = score;
      bestGroup[at] = group;
      if (count === n) {
        floor = bestScore[n - 1] as number;
        floorGroup = bestGroup[n - 1] as number;
      }
    }
    const out: Owner[] = [];
    for (let j = 0; j < count; j++) out.push({ ...(owners[best[j] as number] as Owner) });
    return out;
  }

  /** Whether candidate i (group, score) ranks above the one in slot `slot`. */
  private ranksAbove(group: number, score: number, i: number, slot: number): boolean {
    const otherGroup = this.bestGroup[slot] as number;
    if (group !== otherGroup) return group < otherGroup;
    const other = this.bestScore[slot] as number;
    if (score !== other) return score > other;
    return (this.owners[i] as Owner).node < (this.owners[this.best[slot] as number] as Owner).node;
  }
}

/** The owners of `key` in `view`: a one-off lookup (build an OwnerTable for many keys). */
export function ownersOf(
  view: readonly MemberView[],
  key: string,
  options: OwnersOptions & { kind?: OwnerKind } = {},
): Owner[] {
  return new OwnerTable(view, options.kind).lookup(key, options);
}
