/**
 * Client module /dashboard/mesh.js: the cluster drawn as an SVG ring. Each node is a focusable
 * button showing its status shape, name, status word, heartbeat and phi as the observer sees
 * them; faint lines join members the observer counts as up, and brighter lines flash from the
 * observer to members whose heartbeat news just reached it.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so escapes in the client source reach the browser as written.
export const meshViewJs = String.raw`// The mesh ring.
import { fmtInt, fmtPhi, s, setAttr, setText, syncChildren } from "./dom.js";
import { glyphShapes, STATUS_WORD } from "./glyphs.js";

const WIDTH = 760;
const HEIGHT = 640;
const CX = WIDTH / 2;
const CY = HEIGHT / 2;
const UP = new Set(["alive", "joining", "suspect"]);

function ringRadius(count) {
  if (count <= 1) return 0;
  return Math.min(230, 60 + count * 18);
}

function place(index, count) {
  const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(count, 1);
  const r = ringRadius(count);
  return { x: CX + r * Math.cos(angle), y: CY + r * Math.sin(angle), cos: Math.cos(angle), sin: Math.sin(angle) };
}

/** Creates the ring inside svg; onSelect(name) is called on click, Enter or Space. */
export function createMesh(svg, onSelect) {
  svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + HEIGHT);
  const links = s("g", { class: "links", "aria-hidden": "true" });
  const nodes = s("g", { class: "nodes" });
  const centre = s(
    "text",
    { class: "centre", x: CX, y: CY, "text-anchor": "middle", "aria-hidden": "true" },
    s("tspan", { class: "centre-title", x: CX, dy: "-0.2em" }),
    s("tspan", { class: "centre-sub", x: CX, dy: "1.5em" }),
  );
  svg.append(links, centre, nodes);

  function createNode(node) {
    const g = s("g", { class: "node", tabindex: 0, role: "button" });
    g.append(
      s("circle", { class: "focus-ring", r: 31 }),
      s("circle", { class: "observer-ring", r: 26 }),
      s("circle", { class: "differs-ring", r: 23 }),
      s("g", { class: "glyph" }),
      s(
        "g",
        { class: "badge-stopped", transform: "translate(-19,-19)" },
        s("circle", { r: 8 }),
        s("rect", { x: -3.5, y: -4, width: 2.5, height: 8 }),
        s("rect", { x: 1, y: -4, width: 2.5, height: 8 }),
      ),
      s("circle", { class: "badge-write", r: 5, cx: 18, cy: -18 }),
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

  function updateNode(g, node, index, count, compact) {
    const p = place(index, count);
    setAttr(g, "transform", "translate(" + p.x.toFixed(1) + "," + p.y.toFixed(1) + ")");
    const classes = ["node", "status-" + node.status];
    if (node.isObserver) classes.push("is-observer");
    if (node.differs) classes.push("differs");
    if (node.running === false) classes.push("stopped");
    if (node.hasWrite) classes.push("has-write");
    setAttr(g, "class", classes.join(" "));
    setAttr(g, "data-node", node.name);
    setAttr(g, "data-status", node.status);
    setAttr(g, "aria-pressed", node.isObserver ? "true" : "false");

    const glyph = g.querySelector(".glyph");
    if (glyph.getAttribute("data-status") !== node.status) {
      glyph.replaceChildren(...glyphShapes(node.status, 17));
      glyph.setAttribute("data-status", node.status);
    }

    const notes = [];
    if (node.running === false) notes.push("stopped");
    if (node.differs) notes.push("differs");
    const word = STATUS_WORD[node.status] + (notes.length ? " · " + notes.join(" · ") : "");
    const metrics = node.status === "unknown" ? "" : "hb " + fmtInt(node.heartbeat) + " · φ " + fmtPhi(node.phi);
    const label = g.querySelector(".label");
    const [name, status, numbers] = label.children;
    setText(name, node.name);
    setText(status, word);
    setText(numbers, compact ? "" : metrics);

    // Labels sit outside the ring: right of right-hand nodes, left of left-hand ones.
    const out = count <= 1 ? { cos: 0, sin: 1 } : p;
    const gap = 40;
    const lx = out.cos * gap;
    const anchor = out.cos > 0.35 ? "start" : out.cos < -0.35 ? "end" : "middle";
    const lines = compact ? 2 : 3;
    const lineHeight = 15;
    let top;
    if (out.sin < -0.35) top = out.sin * gap - lines * lineHeight + 4;
    else if (out.sin > 0.35) top = out.sin * gap + 8;
    else top = -((lines - 1) * lineHeight) / 2 + 4;
    setAttr(label, "text-anchor", anchor);
    for (const [i, tspan] of [name, status, numbers].entries()) {
      setAttr(tspan, "x", lx.toFixed(1));
      setAttr(tspan, "y", (top + i * lineHeight + 11).toFixed(1));
    }

    const spoken = [node.name, word, metrics, node.isObserver ? "observer" : "select as observer"];
    setAttr(g, "aria-label", spoken.filter(Boolean).join(", "));
  }

  function drawLinks(model) {
    const points = new Map(model.nodes.map((node, i) => [node.name, place(i, model.nodes.length)]));
    const lines = [];
    const up = model.nodes.filter((node) => UP.has(node.status));
    for (let i = 0; i < up.length; i++) {
      for (let j = i + 1; j < up.length; j++) {
        const a = points.get(up[i].name);
        const b = points.get(up[j].name);
        const weak = up[i].status === "suspect" || up[j].status === "suspect";
        lines.push(s("line", { class: weak ? "link weak" : "link", x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      }
    }
    const from = points.get(model.observer);
    if (from) {
      for (const node of model.nodes) {
        if (!node.fresh || node.name === model.observer) continue;
        const to = points.get(node.name);
        lines.push(s("line", { class: "link fresh", x1: from.x, y1: from.y, x2: to.x, y2: to.y }));
      }
    }
    links.replaceChildren(...lines);
  }

  return {
    /** model: { nodes: [{ name, status, heartbeat, phi, running, differs, isObserver, fresh, hasWrite }], observer, title, subtitle } */
    render(model) {
      const count = model.nodes.length;
      const compact = count > 16;
      svg.classList.toggle("compact", compact);
      syncChildren(
        nodes,
        model.nodes,
        (node) => node.name,
        createNode,
        (g, node) => updateNode(g, node, model.nodes.indexOf(node), count, compact),
      );
      drawLinks(model);
      const [title, sub] = centre.children;
      setText(title, model.title);
      setText(sub, model.subtitle);
      setAttr(centre, "class", "centre " + (model.centreClass || ""));
    },
  };
}
`;
