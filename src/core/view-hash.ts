/**
 * A view's fingerprint for people and callers, not for the exchange (that one is
 * fingerprint.ts): per member its name, generation, max version and status. Heartbeats and phi
 * change every round and are left out, so two nodes with the same fingerprint see the same
 * cluster. Members that left count as the exchange counts them (fingerprint.ts `counted`): not
 * at all, so a node that joined after a leave, and never heard of the leaver, agrees with those
 * that still hold it until its grace ends. A node's own entry never matters here: a node that
 * left is no longer live, so no summary weighs its view. Members are hashed one by one and the
 * hashes added lane by lane, so the order does not matter and a node can keep the sum as it
 * goes, re-hashing only the member that changed (the node's BriefTally). The summary reports
 * it per node (`viewHash`), and every owners answer carries it, so a caller can tell which view
 * answered.
 */
import { counted } from "./fingerprint.js";
import { statusCode } from "./precedence.js";
import type { MemberStatus } from "./types.js";

/** What the fingerprint covers of one member. */
export interface ViewHashEntry {
  node: string;
  generation: number;
  maxVersion: number;
  status: MemberStatus;
}

/** The high lane keeps 21 bits, the low lane 32: 53 bits, a safe integer. */
const HI_MASK = 0x1fffff;

/** One member's hash in two lanes (21 and 32 bits), as cyrb53 gives them; zero when it does not count. */
export function memberHash(m: ViewHashEntry): [hi: number, lo: number] {
  if (!counted(statusCode(m.status))) return [0, 0];
  return cyrb53(`${m.node}@${m.generation}:${m.maxVersion}:${m.status}`);
}

/** Adds (sign 1) or removes (sign -1) one member's hash from a running sum. */
export function addHash(
  sum: [hi: number, lo: number],
  hash: [hi: number, lo: number],
  sign: 1 | -1 = 1,
): void {
  sum[0] = (sum[0] + sign * hash[0]) & HI_MASK;
  sum[1] = (sum[1] + sign * hash[1]) >>> 0;
}

/** A sum of member hashes as 14 hex digits. */
export function hashHex([hi, lo]: readonly [number, number]): string {
  return (4294967296 * hi + lo).toString(16).padStart(14, "0");
}

/** The fingerprint of a full view. */
export function viewHash(members: readonly ViewHashEntry[]): string {
  const sum: [number, number] = [0, 0];
  for (const m of members) addHash(sum, memberHash(m));
  return hashHex(sum);
}

/** cyrb53: a fast 53-bit string hash, as its 21 high and 32 low bits. Not cryptographic. */
function cyrb53(text: string): [hi: number, lo: number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h2 & HI_MASK, h1 >>> 0];
}
