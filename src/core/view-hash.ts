/**
 * A view's fingerprint for people and callers, not for the exchange (that one is
 * fingerprint.ts): per member its name, generation, max version and status, hashed to 14 hex
 * digits. Heartbeats and phi change every round and are left out, so two nodes with the same
 * fingerprint see the same cluster. The summary reports it per node (`viewHash`), and every
 * owners answer carries it, so a caller can tell which view answered.
 */
import type { MemberView } from "./types.js";

/** The comparable part of a view, as one canonical string. */
export function viewFingerprint(members: readonly MemberView[]): string {
  return [...members]
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((m) => `${m.node}@${m.generation}:${m.maxVersion}:${m.status}`)
    .join(",");
}

/** The view's fingerprint: hash53 of viewFingerprint. */
export function viewHash(members: readonly MemberView[]): string {
  return hash53(viewFingerprint(members));
}

/** cyrb53: a fast 53-bit string hash, as 14 hex digits. Not cryptographic; collisions are negligible here. */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
