/**
 * Client module /dashboard/dom.js: a tiny element builder, keyed child syncing (so rows and
 * nodes keep focus across refreshes) and the number formats the page uses.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so escapes in the client source reach the browser as written.
export const domJs = String.raw`// Tiny DOM helpers shared by the dashboard modules.
const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An HTML element: h("td", { class: "num" }, "42"). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Sets text only when it changed (keeps live regions quiet and avoids layout work). */
export function setText(el, text) {
  const value = String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function setAttr(el, name, value) {
  const text = String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

/**
 * Makes parent's children match items, reusing the child whose data-key matches keyOf(item),
 * so focused buttons and rows survive a refresh.
 */
export function syncChildren(parent, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of Array.from(parent.children)) existing.set(child.getAttribute("data-key"), child);
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let el = existing.get(key);
    if (el) existing.delete(key);
    else {
      el = create(item);
      el.setAttribute("data-key", key);
    }
    update(el, item);
    const wanted = previous ? previous.nextSibling : parent.firstChild;
    if (el !== wanted) parent.insertBefore(el, wanted);
    previous = el;
  }
  for (const el of existing.values()) el.remove();
}

/** Node names in human order: n2 before n10. */
export function byName(a, b) {
  return a.localeCompare(b, "en", { numeric: true });
}

export function fmtInt(n) {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en") : "–";
}

/** Phi: JSON turns Infinity into null, which means "no heartbeat for a very long time". */
export function fmtPhi(phi) {
  if (phi === null) return "∞";
  if (typeof phi !== "number") return "–";
  if (!Number.isFinite(phi)) return "∞";
  return phi >= 100 ? phi.toFixed(0) : phi.toFixed(phi >= 10 ? 1 : 2);
}

export function fmtBytes(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
  return (n / 1024 / 1024).toFixed(1) + " MiB";
}

export function fmtTime(ms) {
  const date = typeof ms === "number" ? new Date(ms) : new Date();
  return date.toLocaleTimeString("en-GB", { hour12: false });
}
`;
