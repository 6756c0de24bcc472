/**
 * Public surface of the protocol core. Shells (Durable Object, API, simulator) import from
 * here only.
 */
export * from "./cluster-state.js";
export * from "./config.js";
export * from "./exchange.js";
export * from "./failure-detector.js";
export * from "./gossiper.js";
export * from "./membership.js";
export * from "./messages.js";
export * from "./node-state.js";
export * from "./peer-selection.js";
export * from "./random.js";
export * from "./types.js";
