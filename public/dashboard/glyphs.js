/**
 * One shape per member status, so status never rests on colour alone (alive circle, joining
 * dashed ring, suspect triangle, dead crossed disc, left hollow square, not-in-view dotted
 * ring), used by the mesh, the tables, the legend and the event list (`eventLine`).
 */
import { fmtTime, h, s } from "./dom.js";

/** @typedef {"alive" | "joining" | "suspect" | "dead" | "left" | "unknown"} Status */

/** @type {readonly Status[]} */
export const STATUSES = ["alive", "joining", "suspect", "dead", "left", "unknown"];

/** @type {Record<Status, string>} */
export const STATUS_WORD = {
  alive: "alive",
  joining: "joining",
  suspect: "suspect",
  dead: "dead",
  left: "left",
  unknown: "not in view",
};

/**
 * A status the page draws; anything else (a status this page does not know) is "unknown".
 * @param {unknown} value
 * @returns {Status}
 */
export function statusOf(value) {
  return STATUSES.find((status) => status === value) ?? "unknown";
}

/**
 * Shapes for a status, centred on 0,0, about r units in radius. Colour comes from CSS.
 * @param {Status} status
 * @param {number} r
 * @returns {SVGElement[]}
 */
export function glyphShapes(status, r) {
  /** @param {number} n */
  const k = (n) => (n * r).toFixed(2);
  switch (status) {
    case "alive":
      return [s("circle", { class: "g-fill", r: k(1) })];
    case "joining":
      return [s("circle", { class: "g-line g-dashed", r: k(0.85) })];
    case "suspect":
      return [
        s("path", {
          class: "g-fill",
          d: `M0,${k(-1.15)} L${k(1.05)},${k(0.75)} L${k(-1.05)},${k(0.75)} Z`,
        }),
      ];
    case "dead":
      return [
        s("circle", { class: "g-fill", r: k(1) }),
        s("path", {
          class: "g-mark",
          d: `M${k(-0.45)},${k(-0.45)} L${k(0.45)},${k(0.45)} M${k(0.45)},${k(-0.45)} L${k(-0.45)},${k(0.45)}`,
        }),
      ];
    case "left":
      return [
        s("rect", { class: "g-line", x: k(-0.8), y: k(-0.8), width: k(1.6), height: k(1.6), rx: k(0.15) }),
      ];
    default:
      return [s("circle", { class: "g-line g-dotted", r: k(0.85) })];
  }
}

/**
 * A small inline icon for tables and the legend; the status word is always shown beside it.
 * @param {Status} status
 */
export function statusIcon(status) {
  return s(
    "svg",
    {
      class: `icon status-${status}`,
      viewBox: "-12 -12 24 24",
      width: 14,
      height: 14,
      "aria-hidden": "true",
    },
    glyphShapes(status, 8),
  );
}

/**
 * An event of the stream as a line of the event list: its time, its status's shape, what happened.
 * @param {any} event
 */
export function eventLine(event) {
  if (!event || typeof event !== "object" || typeof event.type !== "string") return null;
  const status = statusOf(event.type);
  let text;
  if (event.type === "state") text = `${event.node} changed ${(event.keys || []).join(", ") || "state"}`;
  else if (event.type === "joined") text = `${event.node} joined`;
  else if (event.type === "forgotten") text = `${event.node} forgotten`;
  else if (event.type === "restarted") text = `${event.node} restarted (generation ${event.generation})`;
  else text = `${event.node} is ${STATUS_WORD[status]}`;
  return h(
    "li",
    { class: `event-${event.type}` },
    h("time", {}, fmtTime(event.at)),
    " ",
    status === "unknown" ? h("span", { class: "dot" }) : statusIcon(status),
    " ",
    text,
  );
}
