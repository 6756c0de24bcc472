/**
 * Public surface of the protocol core. Shells (Durable Object, API, simulator) import from
 * here only.
 */
export { Awareness } from "./awareness.js";
export { BroadcastQueue, MAX_QUEUED, newsBytes } from "./broadcast.js";
export type { Grave, GraveTuple, NodeChange } from "./cluster-state.js";
export { graveOf, graveTuple } from "./cluster-state.js";
export * from "./config.js";
export * from "./driver.js";
export * from "./engine-types.js";
export * from "./failure-detector.js";
export { BUCKETS, bucketOf, fnv1a } from "./fingerprint.js";
export * from "./gossiper.js";
export * from "./hash64.js";
export * from "./hosted.js";
export { Interner } from "./interner.js";
export * from "./keys.js";
export * from "./messages.js";
export { MemberState, NodeState, type NodeStateSnapshot } from "./node-state.js";
export * from "./owners.js";
export { PLUMTREE_LIMITS } from "./plumtree.js";
export * from "./precedence.js";
export * from "./random.js";
export { remainingSuspicionTime, suspicionBounds } from "./suspicion.js";
export * from "./types.js";
export * from "./view-hash.js";
