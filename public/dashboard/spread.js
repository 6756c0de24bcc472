/**
 * "Watch it spread": which nodes know a piece of news, read from the nodes' own views over the
 * public API. News is a write (a node's state reached a version), a node going down (stopped,
 * suspected, dead or left) or a node joining (a generation). A tracker polls the views of the
 * nodes that do not know yet, records when each first does, and reports the curve of how many
 * know over time, from the first to all N.
 */
import { api } from "./api.js";

/** @typedef {import("./api.js").NodeView} NodeView */

/**
 * @typedef {{ kind: "write", node: string, version: number }
 *   | { kind: "down", node: string }
 *   | { kind: "join", node: string, generation: number }} News
 */

/**
 * @typedef {object} SpreadState
 * @property {News} news
 * @property {string} label what happened, for people
 * @property {number} startedAt page clock (ms) when the news was made or first seen
 * @property {string[]} nodes the nodes expected to learn it (N = nodes.length)
 * @property {Map<string, number>} knownAt node -> ms after startedAt when first seen knowing
 * @property {number | null} doneAt ms after startedAt when the last one knew, else null
 * @property {boolean} gaveUp stopped watching before all knew
 */

/** How often the views of nodes that do not know yet are read. */
const POLL_MS = 500;
/** A spread not complete after this long stops being polled (a node may never hear). */
const GIVE_UP_MS = 90_000;
const DOWN = new Set(["suspect", "dead", "left"]);

/**
 * Whether the node whose view this is knows the news.
 * @param {News} news
 * @param {NodeView} view
 */
export function knows(news, view) {
  const own = view.node === news.node;
  const member = (view.members || []).find((m) => m && m.node === news.node);
  switch (news.kind) {
    case "write": {
      const version = own ? view.self?.maxVersion : member?.maxVersion;
      return typeof version === "number" && version >= news.version;
    }
    case "down":
      // Forgotten counts too: it already went through dead or left.
      return !own && (!member || DOWN.has(member.status));
    case "join": {
      if (own) return view.generation >= news.generation;
      return (
        member !== undefined &&
        member.generation >= news.generation &&
        (member.status === "alive" || member.status === "joining")
      );
    }
  }
}

/**
 * Starts watching news spread to `nodes`. `knowers` already know it (the writer of a write).
 * onChange(state, learned) runs after every poll that changed something, with the nodes that
 * just learned it. Returns the state and stop().
 * @param {string} cluster
 * @param {News} news
 * @param {string} label
 * @param {string[]} nodes
 * @param {string[]} knowers
 * @param {(state: SpreadState, learned: string[]) => void} onChange
 */
export function trackSpread(cluster, news, label, nodes, knowers, onChange) {
  /** @type {SpreadState} */
  const state = {
    news,
    label,
    startedAt: Date.now(),
    nodes,
    knownAt: new Map(knowers.filter((n) => nodes.includes(n)).map((n) => [n, 0])),
    doneAt: null,
    gaveUp: false,
  };
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  async function poll() {
    if (stopped) return;
    const waiting = state.nodes.filter((n) => !state.knownAt.has(n));
    const views = await Promise.allSettled(waiting.map((n) => api.view(cluster, n)));
    if (stopped) return;
    const at = Date.now() - state.startedAt;
    /** @type {string[]} */
    const learned = [];
    views.forEach((result, i) => {
      const name = waiting[i];
      if (name && result.status === "fulfilled" && result.value && knows(news, result.value)) {
        state.knownAt.set(name, at);
        learned.push(name);
      }
    });
    if (state.knownAt.size >= state.nodes.length) state.doneAt = Math.max(0, ...state.knownAt.values());
    else if (at > GIVE_UP_MS) state.gaveUp = true;
    onChange(state, learned);
    if (state.doneAt === null && !state.gaveUp) timer = setTimeout(poll, POLL_MS);
  }

  if (state.knownAt.size >= nodes.length) state.doneAt = 0;
  onChange(state, []);
  if (state.doneAt === null) void poll();
  return {
    state,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The curve: how many knew at each moment someone learned it, as [ms, count] steps.
 * @param {SpreadState} state
 * @returns {[number, number][]}
 */
export function curve(state) {
  const times = Array.from(state.knownAt.values()).sort((a, b) => a - b);
  return times.map((t, i) => [t, i + 1]);
}
