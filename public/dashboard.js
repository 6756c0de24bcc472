/**
 * The page's entry module: holds what the person chose (cluster, observer), polls the cluster
 * summary (every page of it, so every node) and the observer's view once a second, follows
 * the observer's event stream, watches the latest news spread (spread.js, drawn by chart.js
 * and as pulses on the mesh), marks the owners of a key asked for (owners.js), and wires the
 * controls to the API. Errors from the API are shown in the alert bar, never swallowed.
 */
import { api, getToken, setToken } from "./dashboard/api.js";
import { createChart } from "./dashboard/chart.js";
import { byId, byName, fmtTime, h, setText } from "./dashboard/dom.js";
import { followEvents } from "./dashboard/events.js";
import { applyBootstrapLimits } from "./dashboard/form-limits.js";
import { eventLine, statusOf } from "./dashboard/glyphs.js";
import { createMesh, legendItems } from "./dashboard/mesh.js";
import { createOwnersBox } from "./dashboard/owners.js";
import { createPanel } from "./dashboard/panel.js";
import { trackSpread } from "./dashboard/spread.js";

/** @typedef {import("./dashboard/api.js").NodeView} NodeView */
/** @typedef {import("./dashboard/api.js").NodeSummary} NodeSummary */
/** @typedef {import("./dashboard/mesh.js").MeshNode} MeshNode */
/** @typedef {import("./dashboard/spread.js").News} News */
/** @typedef {ReturnType<typeof trackSpread>} Tracker */
/** @typedef {{ converged: boolean, nodes: NodeSummary[], differing: Set<string>, live: number }} Summary */

const POLL_MS = 1000;
const MAX_EVENTS = 60;
/** Stream events older than this when they arrive are history replayed on connect, not news. */
const STALE_EVENT_MS = 3000;
/** A climbing spread is not replaced by news from the stream until it is this old. */
const SPREAD_HOLD_MS = 20_000;

const params = new URLSearchParams(location.search);
const state = {
  cluster: params.get("cluster") || "demo",
  observer: params.get("node") || "",
  /** @type {Summary | null} */
  summary: null,
  /** @type {NodeView | null} */
  view: null,
  /** Heartbeats the observer reported last time, to flash the members it just heard from. @type {Map<string, number>} */
  heard: new Map(),
  /** The news being watched spread. @type {Tracker | null} */
  spread: null,
  ticket: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer: undefined,
  /** @type {(() => void) | null} */
  stopEvents: null,
};

const mesh = createMesh(byId("mesh", SVGSVGElement), selectObserver);
const chart = createChart(byId("spread-chart", SVGSVGElement), byId("spread-text"));
const panel = createPanel(
  {
    title: byId("panel-title"),
    summary: byId("panel-summary"),
    kvRows: byId("kv-rows"),
    kvEmpty: byId("kv-empty"),
    memberRows: byId("member-rows"),
    counters: byId("counters"),
  },
  (key) => act(`Deleted ${key}`, () => api.deleteKey(state.cluster, state.observer, key)),
  selectObserver,
);

const owners = createOwnersBox(
  {
    form: byId("owners-form", HTMLFormElement),
    key: byId("owners-key", HTMLInputElement),
    n: byId("owners-n", HTMLInputElement),
    list: byId("owners-list", HTMLOListElement),
    text: byId("owners-text"),
  },
  refreshNow,
);

// ---- what the API tells us -------------------------------------------------------------

/**
 * The cluster summary (GET /v1/clusters/:cluster): node names, who runs, who is live, and who
 * differs from the majority view.
 * @param {any} raw
 * @returns {Summary}
 */
function readSummary(raw) {
  const body = raw && typeof raw === "object" ? raw : {};
  /** @type {NodeSummary[]} */
  const nodes = (Array.isArray(body.nodes) ? body.nodes : []).filter(
    (/** @type {any} */ n) => n && typeof n.node === "string",
  );
  const differing = new Set(Array.isArray(body.differing) ? body.differing.map(String) : []);
  const live = typeof body.live === "number" ? body.live : nodes.filter((n) => n.live).length;
  return { converged: body.converged === true, nodes, differing, live };
}

/** @returns {Summary} */
function emptySummary() {
  return { converged: false, nodes: [], differing: new Set(), live: 0 };
}

/** Names of the live nodes (configured, running, not left) in the last summary. */
function liveNodes() {
  return (state.summary?.nodes ?? []).filter((n) => n.live).map((n) => n.node);
}

// ---- polling ---------------------------------------------------------------------------

function refreshNow() {
  clearTimeout(state.timer);
  void tick(++state.ticket);
}

/** @param {number} ticket */
async function tick(ticket) {
  /** @type {unknown} */
  let problem = null;
  try {
    const summary = readSummary(await api.summary(state.cluster));
    if (ticket !== state.ticket) return;
    state.summary = summary;
    const names = summary.nodes.map((n) => n.node);
    if (!names.includes(state.observer)) {
      const sorted = summary.nodes.slice().sort((a, b) => byName(a.node, b.node));
      const pick = sorted.find((n) => n.running) || sorted.find((n) => n.configured) || sorted[0];
      setObserver(pick ? pick.node : "");
    }
    const view = state.observer ? await api.view(state.cluster, state.observer) : null;
    if (ticket !== state.ticket) return;
    state.view = view;
    await owners.refresh(state.cluster, state.observer, view?.running === true);
    if (ticket !== state.ticket) return;
  } catch (error) {
    if (ticket !== state.ticket) return;
    if (status(error) === 404 && state.summary === null) {
      state.summary = emptySummary();
      state.view = null;
    } else {
      problem = error;
    }
  }
  render(problem);
  // A hidden tab costs nothing: polling resumes when it is shown again.
  if (!document.hidden) state.timer = setTimeout(() => tick(ticket), POLL_MS);
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    clearTimeout(state.timer);
    if (state.stopEvents) state.stopEvents();
    state.stopEvents = null;
    setText(byId("poll-status"), "Paused while the tab is hidden.");
  } else {
    watchEvents();
    refreshNow();
  }
});

// ---- rendering -------------------------------------------------------------------------

/** @param {unknown} problem */
function render(problem) {
  const summary = state.summary || emptySummary();
  const view = state.view && state.view.node === state.observer ? state.view : null;
  const seen = new Map((view?.members || []).map((m) => [m.node, m]));
  const names = new Set(summary.nodes.map((n) => n.node));
  for (const name of seen.keys()) names.add(name);
  const truth = new Map(summary.nodes.map((n) => [n.node, n]));
  const knownAt = state.spread?.state.knownAt;

  /** @type {MeshNode[]} */
  const nodes = Array.from(names)
    .sort(byName)
    .map((name) => {
      const member = seen.get(name);
      const status = statusOf(
        member ? member.status : name === state.observer && view ? view.status : "unknown",
      );
      const before = state.heard.get(name);
      return {
        name,
        status,
        heartbeat: member?.heartbeat,
        phi: member?.phi,
        running: truth.get(name)?.running,
        differs: summary.differing.has(name),
        isObserver: name === state.observer,
        fresh: member !== undefined && before !== undefined && member.heartbeat > before,
        knows: knownAt?.has(name) ?? false,
        ownerRank: owners.ranks().get(name),
      };
    });
  state.heard = new Map(Array.from(seen.values()).map((m) => [m.node, m.heartbeat]));

  const total = nodes.length;
  const differ = summary.differing.size;
  let subtitle;
  let centreClass = "";
  if (total === 0) subtitle = "no nodes yet";
  else if (summary.converged) {
    subtitle = "converged";
    centreClass = "ok";
  } else {
    subtitle = differ > 0 ? `${differ} of ${summary.live} live differ` : "not converged";
    centreClass = "warn";
  }
  mesh.render({ nodes, observer: state.observer, title: state.cluster, subtitle, centreClass });

  renderConvergence(summary, total);
  renderObserverSelect(nodes);
  setText(byId("mesh-sub"), total ? `${total} nodes · seen by ${state.observer || "–"}` : "");
  const pollStatus = byId("poll-status");
  pollStatus.classList.toggle("error", problem !== null);
  if (problem) setText(pollStatus, `Refresh failed: ${describe(problem)}`);
  else if (total === 0)
    setText(pollStatus, `No cluster named ${state.cluster} yet: bootstrap it in Controls.`);
  else setText(pollStatus, `Updated ${fmtTime()} · polling every second`);

  const hasToken = getToken() !== "";
  panel.render(view, hasToken);
  chart.render(state.spread?.state ?? null, Date.now());
  for (const button of document.querySelectorAll("button.needs-token")) {
    if (button instanceof HTMLButtonElement) {
      button.disabled = !hasToken || (button.closest("#panel") !== null && !view);
    }
  }
  const stop = byId("action-stop", HTMLButtonElement);
  const start = byId("action-start", HTMLButtonElement);
  const leave = byId("action-leave", HTMLButtonElement);
  if (view) {
    stop.disabled = stop.disabled || !view.running;
    start.disabled = start.disabled || view.running || view.status === "left";
    leave.disabled = leave.disabled || view.status === "left";
  }
}

/**
 * @param {Summary} summary
 * @param {number} total
 */
function renderConvergence(summary, total) {
  const el = byId("convergence");
  const differ = summary.differing.size;
  let text;
  let kind;
  if (total === 0) {
    text = "No nodes";
    kind = "idle";
  } else if (summary.converged) {
    text = `✓ Converged: all ${summary.live} live nodes agree`;
    kind = "ok";
  } else if (summary.live === 0) {
    text = "No live nodes";
    kind = "warn";
  } else {
    const who = Array.from(summary.differing).sort(byName);
    const list = who.slice(0, 5).join(", ") + (who.length > 5 ? ", …" : "");
    text = `≠ Not converged: ${differ} of ${summary.live} live nodes differ (${list})`;
    kind = "warn";
  }
  setText(el, text);
  el.className = `convergence ${kind}`;
}

/** @param {MeshNode[]} nodes */
function renderObserverSelect(nodes) {
  const select = byId("observer", HTMLSelectElement);
  const wanted = nodes.map((n) => n.name);
  const have = Array.from(select.options).map((o) => o.value);
  if (wanted.join("\n") !== have.join("\n")) {
    select.replaceChildren(...wanted.map((name) => h("option", { value: name }, name)));
  }
  if (select.value !== state.observer) select.value = state.observer;
  select.disabled = wanted.length === 0;
}

// ---- watching news spread --------------------------------------------------------------

/**
 * Starts watching news spread to every live node (the subject of a "down" excluded), replacing
 * whatever was watched before. `knowers` know it already.
 * @param {News} news
 * @param {string} label
 * @param {string[]} [knowers]
 * @param {string[]} [extra] nodes to include though the last summary did not count them live
 */
function watchSpread(news, label, knowers = [], extra = []) {
  if (state.spread) state.spread.stop();
  const nodes = new Set([...liveNodes(), ...extra]);
  if (news.kind === "down") nodes.delete(news.node);
  const cluster = state.cluster;
  state.spread = trackSpread(
    cluster,
    news,
    label,
    Array.from(nodes).sort(byName),
    knowers,
    (spread, learned) => {
      if (cluster !== state.cluster) return;
      // The API does not say who told whom: the dot comes from the last node seen knowing before.
      const before = Array.from(spread.knownAt.entries())
        .filter(([name]) => !learned.includes(name))
        .sort((a, b) => b[1] - a[1]);
      const from = before[0]?.[0] ?? news.node;
      for (const name of learned) mesh.pulse(from, name, "news");
      render(null);
    },
  );
  // The first report above came before state.spread was set: draw the new chart now.
  render(null);
}

/** Whether news from the event stream may replace what is being watched now. */
function spreadIsIdle() {
  const current = state.spread?.state;
  if (!current) return true;
  return current.doneAt !== null || current.gaveUp || Date.now() - current.startedAt > SPREAD_HOLD_MS;
}

/**
 * News the observer's stream reported: watch it spread unless something else is climbing.
 * @param {any} event
 */
async function newsFromStream(event) {
  if (!spreadIsIdle() || typeof event.node !== "string") return;
  const current = state.spread?.state.news;
  /** @type {News | null} */
  let news = null;
  let label = "";
  if (event.type === "state") {
    // The version is the writer's max version as the observer now holds it.
    const view = await api.view(state.cluster, state.observer).catch(() => null);
    const member = view?.members.find((m) => m.node === event.node);
    if (!member || !spreadIsIdle()) return;
    if (current?.kind === "write" && current.node === event.node && current.version >= member.maxVersion)
      return;
    news = { kind: "write", node: event.node, version: member.maxVersion };
    label = `${event.node} changed ${(event.keys || []).join(", ") || "state"}`;
  } else if (event.type === "joined" || event.type === "restarted") {
    if (current?.kind === "join" && current.node === event.node && current.generation >= event.generation)
      return;
    news = { kind: "join", node: event.node, generation: Number(event.generation) || 0 };
    label = `${event.node} ${event.type}`;
  } else if (event.type === "suspect" || event.type === "dead" || event.type === "left") {
    if (current?.kind === "down" && current.node === event.node) return;
    news = { kind: "down", node: event.node };
    label = `${event.node} is ${event.type}`;
  }
  if (news) watchSpread(news, label, [state.observer]);
}

// ---- choosing what to watch ------------------------------------------------------------

/** @param {string} name */
function setObserver(name) {
  if (name === state.observer && state.stopEvents) return;
  state.observer = name;
  state.heard = new Map();
  const url = new URL(location.href);
  url.searchParams.set("cluster", state.cluster);
  if (name) url.searchParams.set("node", name);
  else url.searchParams.delete("node");
  history.replaceState(null, "", url);
  watchEvents();
}

/** @param {string} name */
function selectObserver(name) {
  if (name === state.observer) return;
  setObserver(name);
  state.view = null;
  render(null);
  refreshNow();
}

/** @param {string} name */
function selectCluster(name) {
  state.cluster = name;
  state.summary = null;
  state.view = null;
  state.observer = "";
  if (state.spread) state.spread.stop();
  state.spread = null;
  byId("events").replaceChildren();
  setObserver("");
  refreshNow();
}

// ---- the observer's event stream -------------------------------------------------------

function watchEvents() {
  if (state.stopEvents) state.stopEvents();
  state.stopEvents = null;
  const list = byId("events");
  const eventsState = byId("events-state");
  list.replaceChildren();
  if (!state.observer) {
    setText(eventsState, "");
    return;
  }
  const who = state.observer;
  state.stopEvents = followEvents(
    state.cluster,
    who,
    (message) => {
      if (message.event === "error") {
        const error = message.data?.error ?? {};
        setText(eventsState, `Event stream ended: ${error.code || "error"}: ${error.message || ""}`);
        return;
      }
      const event = message.data;
      const item = eventLine(event);
      if (!item) return;
      list.prepend(item);
      while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove();
      if (typeof event.at === "number" && Date.now() - event.at > STALE_EVENT_MS) return;
      // Fresh news reached the observer: show it arriving, and watch it reach everyone.
      if (["state", "joined", "alive", "restarted"].includes(event.type))
        mesh.pulse(event.node, who, "heard");
      void newsFromStream(event);
    },
    (phase, error) => {
      if (phase === "open") setText(eventsState, `Live membership events as ${who} sees them.`);
      else if (phase === "retrying")
        setText(eventsState, `Event stream interrupted (${describe(error)}); retrying.`);
    },
  );
}

// ---- actions ---------------------------------------------------------------------------

/** @param {unknown} error */
function status(error) {
  return error && typeof error === "object" && "status" in error ? error.status : undefined;
}

/** @param {unknown} error */
function describe(error) {
  if (error && typeof error === "object" && "describe" in error && typeof error.describe === "function") {
    return String(error.describe());
  }
  return String(error);
}

/** @param {unknown} error */
function showError(error) {
  setText(byId("alert-text"), describe(error));
  byId("alert").hidden = false;
}

/** @param {string} text */
function notice(text) {
  setText(byId("notice"), `${fmtTime()} · ${text}`);
}

/**
 * Runs an API call; on success says `done` (or done(result)) and refreshes, else shows the error.
 * @template T
 * @param {string | ((result: T) => string)} done
 * @param {() => Promise<T>} run
 */
async function act(done, run) {
  try {
    const result = await run();
    byId("alert").hidden = true;
    notice(typeof done === "function" ? done(result) : done);
    refreshNow();
    return result;
  } catch (error) {
    showError(error);
    return undefined;
  }
}

byId("alert-close").addEventListener("click", () => {
  byId("alert").hidden = true;
});

byId("cluster-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = byId("cluster", HTMLInputElement).value.trim();
  if (name) selectCluster(name);
});

byId("observer", HTMLSelectElement).addEventListener("change", (event) => {
  if (event.target instanceof HTMLSelectElement) selectObserver(event.target.value);
});

function renderToken() {
  const has = getToken() !== "";
  setText(
    byId("token-state"),
    has ? "Token in use for this tab (kept in session storage)." : "No token: the dashboard is read-only.",
  );
  render(null);
}

byId("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId("token", HTMLInputElement);
  setToken(input.value.trim());
  input.value = "";
  renderToken();
  watchEvents();
});

byId("token-forget").addEventListener("click", () => {
  setToken("");
  renderToken();
});

byId("bootstrap-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const size = Number(byId("bootstrap-size", HTMLInputElement).value);
  const intervalMs = Number(byId("bootstrap-interval", HTMLInputElement).value);
  const cluster = state.cluster;
  void act(
    () => `Bootstrapped ${cluster} with ${size} nodes every ${intervalMs} ms.`,
    () => api.bootstrap(cluster, size, { intervalMs }),
  );
});

byId("write-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = byId("write-key", HTMLInputElement).value.trim();
  const value = byId("write-value", HTMLInputElement).value;
  const cluster = state.cluster;
  const node = state.observer;
  void act(
    (/** @type {any} */ result) => {
      if (typeof result?.version === "number") {
        watchSpread({ kind: "write", node, version: result.version }, `${key}=${value} written on ${node}`, [
          node,
        ]);
      }
      return `Wrote ${key}=${value} on ${node}.`;
    },
    () => api.setKey(cluster, node, key, value),
  );
});

byId("action-stop").addEventListener("click", () => {
  const node = state.observer;
  void act(
    () => {
      watchSpread({ kind: "down", node }, `${node} stopped`);
      return `Stopped ${node}.`;
    },
    () => api.stop(state.cluster, node),
  );
});
byId("action-start").addEventListener("click", () => {
  const node = state.observer;
  void act(
    (view) => {
      watchSpread({ kind: "join", node, generation: view.generation }, `${node} started`, [node], [node]);
      return `Started ${node}.`;
    },
    () => api.start(state.cluster, node),
  );
});
byId("action-leave").addEventListener("click", () => {
  const node = state.observer;
  void act(
    () => {
      watchSpread({ kind: "down", node }, `${node} left`);
      return `${node} is leaving.`;
    },
    () => api.leave(state.cluster, node),
  );
});

byId("cluster", HTMLInputElement).value = state.cluster;
byId("legend").replaceChildren(...legendItems());
renderToken();
void applyBootstrapLimits({
  size: byId("bootstrap-size", HTMLInputElement),
  intervalMs: byId("bootstrap-interval", HTMLInputElement),
});
if (state.observer) watchEvents();
refreshNow();
