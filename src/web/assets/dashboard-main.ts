/**
 * Client module /dashboard.js, the page's entry: holds what the person chose (cluster,
 * observer), polls the cluster summary and the observer's view once a second, follows the
 * observer's event stream, and wires the controls to the API. Errors from the API are shown
 * in the alert bar, never swallowed.
 */
export const dashboardMainJs = String.raw`// The dashboard's entry module.
import { api, clusterPath, getToken, setToken } from "./dashboard/api.js";
import { byName, fmtTime, h, setText } from "./dashboard/dom.js";
import { followEvents } from "./dashboard/events.js";
import { STATUSES, STATUS_WORD, statusIcon, statusOf } from "./dashboard/glyphs.js";
import { createMesh } from "./dashboard/mesh.js";
import { createPanel } from "./dashboard/panel.js";

const POLL_MS = 1000;
const MAX_EVENTS = 60;
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = {
  cluster: params.get("cluster") || "demo",
  observer: params.get("node") || "",
  summary: null,
  view: null,
  /** Heartbeats the observer reported last time, to flash the members it just heard from. */
  heard: new Map(),
  lastWrite: null,
  ticket: 0,
  timer: 0,
  stopEvents: null,
};

const mesh = createMesh($("mesh"), selectObserver);
const panel = createPanel(
  {
    title: $("panel-title"),
    summary: $("panel-summary"),
    kvRows: $("kv-rows"),
    kvEmpty: $("kv-empty"),
    memberRows: $("member-rows"),
    counters: $("counters"),
  },
  (key) => act("Deleted " + key, () => api.deleteKey(state.cluster, state.observer, key)),
  selectObserver,
);

// ---- what the API tells us -------------------------------------------------------------

/**
 * The cluster summary (GET /v1/clusters/:cluster?digests=true): node names, who runs, who is
 * live, who differs from the majority view, and every node's digest (for the write spread).
 */
function readSummary(raw) {
  const body = raw && typeof raw === "object" ? raw : {};
  const nodes = (Array.isArray(body.nodes) ? body.nodes : []).filter((n) => n && typeof n.node === "string");
  const differing = new Set(Array.isArray(body.differing) ? body.differing : []);
  const live = typeof body.live === "number" ? body.live : nodes.filter((n) => n.live).length;
  return { converged: body.converged === true, nodes, differing, live };
}

function emptySummary() {
  return { converged: false, nodes: [], differing: new Set(), live: 0 };
}

/** How many nodes hold the last write made from this page (from their digests), if known. */
function writeSpread() {
  const write = state.lastWrite;
  if (!write || write.cluster !== state.cluster || !state.summary) return null;
  const holders = new Set();
  let known = 0;
  for (const n of state.summary.nodes) {
    if (!Array.isArray(n.digest)) continue;
    known++;
    const entry = n.digest.find((d) => Array.isArray(d) && d[0] === write.node);
    if (n.node === write.node || (entry && entry[3] >= write.version)) holders.add(n.node);
  }
  if (known === 0 && state.view) {
    const seen = (state.view.members || []).find((m) => m.node === write.node);
    if (seen && seen.maxVersion >= write.version) holders.add(state.view.node);
  }
  return { holders, known };
}

// ---- polling ---------------------------------------------------------------------------

function refreshNow() {
  clearTimeout(state.timer);
  void tick(++state.ticket);
}

async function tick(ticket) {
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
  } catch (error) {
    if (ticket !== state.ticket) return;
    if (error.status === 404 && state.summary === null) {
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
    setText($("poll-status"), "Paused while the tab is hidden.");
  } else {
    watchEvents();
    refreshNow();
  }
});

// ---- rendering -------------------------------------------------------------------------

function render(problem) {
  const summary = state.summary || emptySummary();
  const view = state.view && state.view.node === state.observer ? state.view : null;
  const seen = new Map(((view && view.members) || []).map((m) => [m.node, m]));
  const names = new Set(summary.nodes.map((n) => n.node));
  for (const name of seen.keys()) names.add(name);
  const truth = new Map(summary.nodes.map((n) => [n.node, n]));
  const spread = writeSpread();

  const nodes = Array.from(names)
    .sort(byName)
    .map((name) => {
      const member = seen.get(name);
      const status = statusOf(member ? member.status : name === state.observer && view ? view.status : "unknown");
      const before = state.heard.get(name);
      return {
        name,
        status,
        heartbeat: member ? member.heartbeat : undefined,
        phi: member ? member.phi : undefined,
        running: truth.has(name) ? truth.get(name).running : undefined,
        differs: summary.differing.has(name),
        isObserver: name === state.observer,
        fresh: member !== undefined && before !== undefined && member.heartbeat > before,
        hasWrite: spread !== null && spread.holders.has(name),
      };
    });
  state.heard = new Map(Array.from(seen.values()).map((m) => [m.node, m.heartbeat]));

  const total = nodes.length;
  const differ = summary.differing.size;
  let title = state.cluster;
  let subtitle;
  let centreClass = "";
  if (total === 0) subtitle = "no nodes yet";
  else if (summary.converged) {
    subtitle = "converged";
    centreClass = "ok";
  } else {
    subtitle = differ > 0 ? differ + " of " + summary.live + " live differ" : "not converged";
    centreClass = "warn";
  }
  mesh.render({ nodes, observer: state.observer, title, subtitle, centreClass });

  renderConvergence(summary, total);
  renderObserverSelect(nodes);
  setText($("mesh-sub"), total ? total + " nodes · seen by " + (state.observer || "–") : "");
  $("poll-status").classList.toggle("error", problem !== null);
  if (problem) setText($("poll-status"), "Refresh failed: " + describe(problem));
  else if (total === 0) setText($("poll-status"), "No cluster named " + state.cluster + " yet: bootstrap it in Controls.");
  else setText($("poll-status"), "Updated " + fmtTime() + " · polling every second");

  const hasToken = getToken() !== "";
  panel.render(view, hasToken);
  renderSpread(spread, total);
  for (const button of document.querySelectorAll(".needs-token")) {
    button.disabled = !hasToken || (button.closest("#panel") !== null && !view);
  }
  const stop = $("action-stop");
  const start = $("action-start");
  if (view) {
    stop.disabled = stop.disabled || !view.running;
    start.disabled = start.disabled || view.running || view.status === "left";
    $("action-leave").disabled = $("action-leave").disabled || view.status === "left";
  }
}

function renderConvergence(summary, total) {
  const el = $("convergence");
  const differ = summary.differing.size;
  let text;
  let kind;
  if (total === 0) {
    text = "No nodes";
    kind = "idle";
  } else if (summary.converged) {
    text = "✓ Converged: all " + summary.live + " live nodes agree";
    kind = "ok";
  } else if (summary.live === 0) {
    text = "No live nodes";
    kind = "warn";
  } else {
    const who = Array.from(summary.differing).sort(byName);
    const list = who.slice(0, 5).join(", ") + (who.length > 5 ? ", …" : "");
    text = "≠ Not converged: " + differ + " of " + summary.live + " live nodes differ (" + list + ")";
    kind = "warn";
  }
  setText(el, text);
  el.className = "convergence " + kind;
}

function renderObserverSelect(nodes) {
  const select = $("observer");
  const wanted = nodes.map((n) => n.name);
  const have = Array.from(select.options).map((o) => o.value);
  if (wanted.join("\n") !== have.join("\n")) {
    select.replaceChildren(...wanted.map((name) => h("option", { value: name }, name)));
  }
  if (select.value !== state.observer) select.value = state.observer;
  select.disabled = wanted.length === 0;
}

function renderSpread(spread, total) {
  const write = state.lastWrite;
  const el = $("write-spread");
  if (!write || write.cluster !== state.cluster || !spread) {
    setText(el, "");
    return;
  }
  const what = write.key + "=" + write.value + " on " + write.node + " (version " + write.version + ")";
  if (spread.known > 0) setText(el, "Last write " + what + ": held by " + spread.holders.size + " of " + total + " nodes.");
  else setText(el, "Last write " + what + ".");
}

// ---- choosing what to watch ------------------------------------------------------------

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

function selectObserver(name) {
  if (name === state.observer) return;
  setObserver(name);
  state.view = null;
  render(null);
  refreshNow();
}

function selectCluster(name) {
  state.cluster = name;
  state.summary = null;
  state.view = null;
  state.observer = "";
  $("events").replaceChildren();
  setObserver("");
  refreshNow();
}

// ---- the observer's event stream -------------------------------------------------------

function watchEvents() {
  if (state.stopEvents) state.stopEvents();
  state.stopEvents = null;
  const list = $("events");
  list.replaceChildren();
  if (!state.observer) {
    setText($("events-state"), "");
    return;
  }
  const who = state.observer;
  state.stopEvents = followEvents(
    clusterPath(state.cluster, who) + "/events",
    (message) => {
      if (message.event === "error") {
        const error = message.data && message.data.error ? message.data.error : {};
        setText($("events-state"), "Event stream ended: " + (error.code || "error") + ": " + (error.message || ""));
        return;
      }
      const item = describeEvent(message.data);
      if (!item) return;
      list.prepend(item);
      while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
    },
    (phase, error) => {
      if (phase === "open") setText($("events-state"), "Live membership events as " + who + " sees them.");
      else if (phase === "retrying") setText($("events-state"), "Event stream interrupted (" + describe(error) + "); retrying.");
    },
  );
}

function describeEvent(event) {
  if (!event || typeof event !== "object" || typeof event.type !== "string") return null;
  const status = statusOf(event.type);
  let text;
  if (event.type === "state") text = event.node + " changed " + ((event.keys || []).join(", ") || "state");
  else if (event.type === "joined") text = event.node + " joined";
  else if (event.type === "forgotten") text = event.node + " forgotten";
  else if (event.type === "restarted") text = event.node + " restarted (generation " + event.generation + ")";
  else text = event.node + " is " + STATUS_WORD[status];
  return h(
    "li",
    { class: "event-" + event.type },
    h("time", {}, fmtTime(event.at)),
    " ",
    status === "unknown" ? h("span", { class: "dot" }) : statusIcon(status),
    " ",
    text,
  );
}

// ---- actions ---------------------------------------------------------------------------

function describe(error) {
  return error && typeof error.describe === "function" ? error.describe() : String(error);
}

function showError(error) {
  setText($("alert-text"), describe(error));
  $("alert").hidden = false;
}

function notice(text) {
  setText($("notice"), fmtTime() + " · " + text);
}

async function act(done, run) {
  try {
    const result = await run();
    $("alert").hidden = true;
    notice(typeof done === "function" ? done(result) : done);
    refreshNow();
    return result;
  } catch (error) {
    showError(error);
    return undefined;
  }
}

$("alert-close").addEventListener("click", () => {
  $("alert").hidden = true;
});

$("cluster-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("cluster").value.trim();
  if (name) selectCluster(name);
});

$("observer").addEventListener("change", (event) => selectObserver(event.target.value));

function renderToken() {
  const has = getToken() !== "";
  setText($("token-state"), has ? "Token in use for this tab (kept in session storage)." : "No token: the dashboard is read-only.");
  render(null);
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken($("token").value.trim());
  $("token").value = "";
  renderToken();
  watchEvents();
});

$("token-forget").addEventListener("click", () => {
  setToken("");
  renderToken();
});

$("bootstrap-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const size = Number($("bootstrap-size").value);
  const intervalMs = Number($("bootstrap-interval").value);
  const cluster = state.cluster;
  void act(
    () => "Bootstrapped " + cluster + " with " + size + " nodes every " + intervalMs + " ms.",
    () => api.bootstrap(cluster, size, { intervalMs }),
  );
});

$("write-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("write-key").value.trim();
  const value = $("write-value").value;
  const cluster = state.cluster;
  const node = state.observer;
  void act(
    (result) => {
      if (result && typeof result.version === "number") state.lastWrite = { cluster, node, key, value, version: result.version };
      return "Wrote " + key + "=" + value + " on " + node + ".";
    },
    () => api.setKey(cluster, node, key, value),
  );
});

$("action-stop").addEventListener("click", () =>
  act("Stopped " + state.observer + ".", () => api.stop(state.cluster, state.observer)),
);
$("action-start").addEventListener("click", () =>
  act("Started " + state.observer + ".", () => api.start(state.cluster, state.observer)),
);
$("action-leave").addEventListener("click", () =>
  act(state.observer + " is leaving.", () => api.leave(state.cluster, state.observer)),
);

function renderLegend() {
  const items = STATUSES.map((status) => h("li", {}, statusIcon(status), " " + STATUS_WORD[status]));
  items.push(h("li", {}, h("span", { class: "legend-stopped", "aria-hidden": "true" }), " stopped (fault injected)"));
  items.push(h("li", {}, h("span", { class: "legend-differs", "aria-hidden": "true" }), " view differs"));
  items.push(h("li", {}, h("span", { class: "legend-write", "aria-hidden": "true" }), " holds the last write"));
  $("legend").replaceChildren(...items);
}

$("cluster").value = state.cluster;
renderLegend();
renderToken();
if (state.observer) watchEvents();
refreshNow();
`;
