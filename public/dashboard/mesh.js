/**
 * The cluster drawn as an SVG ring. Each node is a focusable button showing its status shape,
 * name, status word, heartbeat and phi as the observer sees them; faint lines join members the
 * observer counts as up, brighter lines flash from the observer to members whose heartbeat
 * news just reached it, nodes that know the tracked news wear a ring, owners of the key asked
 * for wear another and their rank, and pulse() sends a dot
 * along the ring's chord from one node to another when news is seen to move.
 */
import { fmtInt, fmtPhi, h, s, setAttr, setText, syncChildren } from "./dom.js";
import { glyphShapes, STATUS_WORD, STATUSES, statusIcon } from "./glyphs.js";

/** @typedef {import("./glyphs.js").Status} Status */

/**
 * @typedef {object} MeshNode
 * @property {string} name
 * @property {Status} status as the observer sees it
 * @property {number | undefined} heartbeat
 * @property {number | null | undefined} phi
 * @property {boolean | undefined} running
 * @property {boolean} differs its view differs from the majority's
 * @property {boolean} isObserver
 * @property {boolean} fresh the observer just heard a newer heartbeat from it
 * @property {boolean} knows it knows the news the spread chart tracks
 * @property {number | undefined} ownerRank its rank among the owners of the key asked for (1 = first)
 */

/**
 * @typedef {object} MeshModel
 * @property {MeshNode[]} nodes
 * @property {string} observer
 * @property {string} title
 * @property {string} subtitle
 * @property {string} centreClass
 */

/** @typedef {{ x: number, y: number, cos: number, sin: number }} Point */

const WIDTH = 760;
const HEIGHT = 640;
const CX = WIDTH / 2;
const CY = HEIGHT / 2;
const UP = new Set(["alive", "joining", "suspect"]);
/** How long a pulse takes to cross the ring, in ms. */
const PULSE_MS = 700;
/** Pulses in flight at most; more would only be noise. */
const MAX_PULSES = 24;

/** @param {number} count */
function ringRadius(count) {
  if (count <= 1) return 0;
  return Math.min(230, 60 + count * 18);
}

/**
 * @param {number} index
 * @param {number} count
 * @returns {Point}
 */
function place(index, count) {
  const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(count, 1);
  const r = ringRadius(count);
  return {
    x: CX + r * Math.cos(angle),
    y: CY + r * Math.sin(angle),
    cos: Math.cos(angle),
    sin: Math.sin(angle),
  };
}

/** The legend's items: every status shape, then the marks a node may wear. */
export function legendItems() {
  /** @param {string} mark @param {string} text */
  const item = (mark, text) =>
    h("li", {}, h("span", { class: `legend-${mark}`, "aria-hidden": "true" }), text);
  return [
    ...STATUSES.map((status) => h("li", {}, statusIcon(status), ` ${STATUS_WORD[status]}`)),
    item("stopped", " stopped (fault injected)"),
    item("differs", " view differs"),
    item("knows", " knows the news"),
    item("owner", " owns the key (#rank)"),
  ];
}

/**
 * Creates the ring inside svg; onSelect(name) is called on click, Enter or Space.
 * @param {SVGSVGElement} svg
 * @param {(name: string) => void} onSelect
 */
export function createMesh(svg, onSelect) {
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const links = s("g", { class: "links", "aria-hidden": "true" });
  const pulses = s("g", { class: "pulses", "aria-hidden": "true" });
  const nodes = s("g", { class: "nodes" });
  const centre = s(
    "text",
    { class: "centre", x: CX, y: CY, "text-anchor": "middle", "aria-hidden": "true" },
    s("tspan", { class: "centre-title", x: CX, dy: "-0.2em" }),
    s("tspan", { class: "centre-sub", x: CX, dy: "1.5em" }),
  );
  svg.append(links, centre, pulses, nodes);
  /** Where each node was drawn last, for pulses. @type {Map<string, Point>} */
  let points = new Map();
  const still = matchMedia("(prefers-reduced-motion: reduce)");

  /** @param {MeshNode} node */
  function createNode(node) {
    const g = s("g", { class: "node", tabindex: 0, role: "button" });
    g.append(
      s("circle", { class: "focus-ring", r: 31 }),
      s("circle", { class: "knows-ring", r: 28 }),
      s("circle", { class: "owner-ring", r: 34 }),
      s("circle", { class: "observer-ring", r: 25 }),
      s("circle", { class: "differs-ring", r: 22 }),
      s("g", { class: "glyph" }),
      s(
        "g",
        { class: "badge-stopped", transform: "translate(-19,-19)" },
        s("circle", { r: 8 }),
        s("rect", { x: -3.5, y: -4, width: 2.5, height: 8 }),
        s("rect", { x: 1, y: -4, width: 2.5, height: 8 }),
      ),
      s("text", { class: "owner-rank", x: 20, y: -20, "text-anchor": "middle" }),
      s(
        "text",
        { class: "label" },
        s("tspan", { class: "label-name" }),
        s("tspan", { class: "label-status" }),
        s("tspan", { class: "label-metrics" }),
      ),
    );
    g.addEventListener("click", () => onSelect(node.name));
    g.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onSelect(node.name);
      }
    });
    return g;
  }

  /**
   * @param {SVGGElement} g
   * @param {MeshNode} node
   * @param {number} index
   * @param {number} count
   * @param {boolean} compact
   */
  function updateNode(g, node, index, count, compact) {
    const p = place(index, count);
    setAttr(g, "transform", `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`);
    const classes = ["node", `status-${node.status}`];
    if (node.isObserver) classes.push("is-observer");
    if (node.differs) classes.push("differs");
    if (node.running === false) classes.push("stopped");
    if (node.knows) classes.push("knows");
    if (node.ownerRank) classes.push("owner");
    setAttr(g, "class", classes.join(" "));
    setAttr(g, "data-owner-rank", node.ownerRank ? String(node.ownerRank) : "");
    setText(
      /** @type {SVGTextElement} */ (g.querySelector(".owner-rank")),
      node.ownerRank ? `#${node.ownerRank}` : "",
    );
    setAttr(g, "data-node", node.name);
    setAttr(g, "data-status", node.status);
    setAttr(g, "aria-pressed", node.isObserver ? "true" : "false");

    const glyph = /** @type {SVGGElement} */ (g.querySelector(".glyph"));
    if (glyph.getAttribute("data-status") !== node.status) {
      glyph.replaceChildren(...glyphShapes(node.status, 17));
      glyph.setAttribute("data-status", node.status);
    }

    const notes = [];
    if (node.running === false) notes.push("stopped");
    if (node.differs) notes.push("differs");
    if (node.knows) notes.push("knows");
    if (node.ownerRank) notes.push(`owner #${node.ownerRank}`);
    const word = STATUS_WORD[node.status] + (notes.length ? ` · ${notes.join(" · ")}` : "");
    const metrics = node.status === "unknown" ? "" : `hb ${fmtInt(node.heartbeat)} · φ ${fmtPhi(node.phi)}`;
    const label = /** @type {SVGTextElement} */ (g.querySelector(".label"));
    const lines = /** @type {SVGTSpanElement[]} */ (Array.from(label.children));
    const [name, status, numbers] = lines;
    if (!name || !status || !numbers) return;
    setText(name, node.name);
    setText(status, word);
    setText(numbers, compact ? "" : metrics);

    // Labels sit outside the ring: right of right-hand nodes, left of left-hand ones.
    const out = count <= 1 ? { cos: 0, sin: 1 } : p;
    const gap = 40;
    const lx = out.cos * gap;
    const anchor = out.cos > 0.35 ? "start" : out.cos < -0.35 ? "end" : "middle";
    const rows = compact ? 2 : 3;
    const lineHeight = 15;
    let top;
    if (out.sin < -0.35) top = out.sin * gap - rows * lineHeight + 4;
    else if (out.sin > 0.35) top = out.sin * gap + 8;
    else top = -((rows - 1) * lineHeight) / 2 + 4;
    setAttr(label, "text-anchor", anchor);
    for (const [i, tspan] of lines.entries()) {
      setAttr(tspan, "x", lx.toFixed(1));
      setAttr(tspan, "y", (top + i * lineHeight + 11).toFixed(1));
    }

    const spoken = [node.name, word, metrics, node.isObserver ? "observer" : "select as observer"];
    setAttr(g, "aria-label", spoken.filter(Boolean).join(", "));
  }

  /** @param {MeshModel} model */
  function drawLinks(model) {
    const lines = [];
    const up = model.nodes.filter((node) => UP.has(node.status));
    for (let i = 0; i < up.length; i++) {
      for (let j = i + 1; j < up.length; j++) {
        const one = up[i];
        const two = up[j];
        const a = one && points.get(one.name);
        const b = two && points.get(two.name);
        if (!one || !two || !a || !b) continue;
        const weak = one.status === "suspect" || two.status === "suspect";
        lines.push(s("line", { class: weak ? "link weak" : "link", x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      }
    }
    const from = points.get(model.observer);
    if (from) {
      for (const node of model.nodes) {
        const to = points.get(node.name);
        if (!node.fresh || node.name === model.observer || !to) continue;
        lines.push(s("line", { class: "link fresh", x1: from.x, y1: from.y, x2: to.x, y2: to.y }));
      }
    }
    links.replaceChildren(...lines);
  }

  return {
    /** @param {MeshModel} model */
    render(model) {
      const count = model.nodes.length;
      const compact = count > 16;
      points = new Map(model.nodes.map((node, i) => [node.name, place(i, count)]));
      svg.classList.toggle("compact", compact);
      syncChildren(
        nodes,
        model.nodes,
        (node) => node.name,
        createNode,
        (g, node) => updateNode(g, node, model.nodes.indexOf(node), count, compact),
      );
      drawLinks(model);
      const [title, sub] = Array.from(centre.children);
      if (title) setText(title, model.title);
      if (sub) setText(sub, model.subtitle);
      setAttr(centre, "class", `centre ${model.centreClass}`);
    },

    /**
     * Sends a dot from one node to another (news seen to move). With reduced motion the
     * chord only lights up for a moment.
     * @param {string} from
     * @param {string} to
     * @param {string} kind a CSS class: "news" (the tracked event) or "heard" (stream events)
     */
    pulse(from, to, kind) {
      const a = points.get(from);
      const b = points.get(to);
      if (!a || !b || from === to || pulses.childElementCount >= MAX_PULSES) return;
      const trail = s("line", { class: `trail ${kind}`, x1: a.x, y1: a.y, x2: b.x, y2: b.y });
      const group = s("g", { "data-from": from, "data-to": to }, trail);
      pulses.append(group);
      if (!still.matches) {
        // begin="indefinite" + beginElement(): an animation added later would otherwise be
        // timed from the document's start, and so already be over.
        const dur = `${PULSE_MS}ms`;
        const moves = ["x", "y"].map((axis) =>
          s("animate", {
            attributeName: `c${axis}`,
            from: axis === "x" ? a.x : a.y,
            to: axis === "x" ? b.x : b.y,
            dur,
            begin: "indefinite",
            fill: "freeze",
          }),
        );
        group.append(s("circle", { class: `pulse ${kind}`, r: 6, cx: a.x, cy: a.y }, moves));
        for (const move of moves) move.beginElement();
      }
      setTimeout(() => group.remove(), PULSE_MS + 500);
    },
  };
}
