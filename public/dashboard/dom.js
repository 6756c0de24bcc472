/**
 * Tiny DOM helpers shared by the dashboard modules: an element builder, keyed child syncing
 * (so rows and nodes keep focus across refreshes) and the number formats the page uses.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/** @typedef {Record<string, unknown>} Attrs */
/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @template {Element} E
 * @param {E} el
 * @param {Attrs | null | undefined} attrs
 * @param {(Child | Child[])[]} children
 * @returns {E}
 */
function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/**
 * An HTML element: h("td", { class: "num" }, "42").
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/**
 * An SVG element.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function s(tag, attrs, ...children) {
  return build(
    /** @type {SVGElementTagNameMap[K]} */ (document.createElementNS(SVG_NS, tag)),
    attrs,
    children,
  );
}

/**
 * The element with this id, checked to be of `type` (HTMLElement unless given); throws if the
 * page lacks it (a bug in the page, not a condition to handle).
 * @template {Element} [E=HTMLElement]
 * @param {string} id
 * @param {abstract new (...args: any[]) => E} [type]
 * @returns {E}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  const want = type ?? HTMLElement;
  if (!(el instanceof want)) throw new Error(`the page has no #${id} of the expected type`);
  return /** @type {E} */ (/** @type {unknown} */ (el));
}

/**
 * Sets text only when it changed (keeps live regions quiet and avoids layout work).
 * @param {Element} el
 * @param {unknown} text
 */
export function setText(el, text) {
  const value = String(text);
  if (el.textContent !== value) el.textContent = value;
}

/**
 * @param {Element} el
 * @param {string} name
 * @param {unknown} value
 */
export function setAttr(el, name, value) {
  const text = String(value);
  if (el.getAttribute(name) !== text) el.setAttribute(name, text);
}

/**
 * Makes parent's children match items, reusing the child whose data-key matches keyOf(item),
 * so focused buttons and rows survive a refresh.
 * @template T
 * @template {Element} E
 * @param {Element} parent
 * @param {readonly T[]} items
 * @param {(item: T) => string} keyOf
 * @param {(item: T) => E} create
 * @param {(el: E, item: T) => void} update
 */
export function syncChildren(parent, items, keyOf, create, update) {
  /** @type {Map<string | null, E>} */
  const existing = new Map();
  for (const child of Array.from(parent.children)) {
    existing.set(child.getAttribute("data-key"), /** @type {E} */ (child));
  }
  /** @type {Element | null} */
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
    /** @type {ChildNode | null} */
    const wanted = previous ? previous.nextSibling : parent.firstChild;
    if (el !== wanted) parent.insertBefore(el, wanted);
    previous = el;
  }
  for (const el of existing.values()) el.remove();
}

/**
 * Node names in human order: n2 before n10.
 * @param {string} a
 * @param {string} b
 */
export function byName(a, b) {
  return a.localeCompare(b, "en", { numeric: true });
}

/** @param {unknown} n */
export function fmtInt(n) {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en") : "–";
}

/**
 * Phi: JSON turns Infinity into null, which means "no heartbeat for a very long time".
 * @param {unknown} phi
 */
export function fmtPhi(phi) {
  if (phi === null) return "∞";
  if (typeof phi !== "number") return "–";
  if (!Number.isFinite(phi)) return "∞";
  return phi >= 100 ? phi.toFixed(0) : phi.toFixed(phi >= 10 ? 1 : 2);
}

/** @param {unknown} n */
export function fmtBytes(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** @param {number} [ms] */
export function fmtTime(ms) {
  const date = typeof ms === "number" ? new Date(ms) : new Date();
  return date.toLocaleTimeString("en-GB", { hour12: false });
}
