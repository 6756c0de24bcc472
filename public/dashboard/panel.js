/**
 * The selected node's own story: its status and config, its key-values (with delete buttons),
 * its view of every member, and its counters. Rows are keyed so focus and scroll survive the
 * once-a-second refresh.
 */
import { byName, fmtBytes, fmtInt, fmtPhi, h, setAttr, setText, syncChildren } from "./dom.js";
import { STATUS_WORD, statusIcon, statusOf } from "./glyphs.js";

/** @typedef {import("./api.js").MemberView} MemberView */
/** @typedef {import("./api.js").NodeView} NodeView */
/** @typedef {Record<string, number | undefined>} Counters */

/** @type {[string, (c: Counters) => string][]} */
const COUNTERS = [
  ["rounds", (c) => fmtInt(c.rounds)],
  ["exchanges started", (c) => fmtInt(c.exchangesStarted)],
  ["exchanges completed", (c) => fmtInt(c.exchangesCompleted)],
  ["exchanges failed", (c) => fmtInt(c.exchangesFailed)],
  ["exchanges answered", (c) => fmtInt(c.exchangesAnswered)],
  ["messages sent / received", (c) => `${fmtInt(c.messagesSent)} / ${fmtInt(c.messagesReceived)}`],
  ["bytes sent", (c) => fmtBytes(c.bytesSent)],
  ["bytes received", (c) => fmtBytes(c.bytesReceived)],
  ["rejected messages", (c) => fmtInt(c.rejectedMessages)],
  ["keys written", (c) => fmtInt(c.keysWritten)],
  ["RPC calls made / answered", (c) => `${fmtInt(c.rpcCallsMade)} / ${fmtInt(c.rpcCallsAnswered)}`],
  ["storage rows written", (c) => fmtInt(c.storageRowsWritten)],
  ["round errors", (c) => fmtInt(c.roundErrors)],
];

/**
 * @param {Element} td
 * @param {import("./glyphs.js").Status} status
 */
function statusCell(td, status) {
  const word = STATUS_WORD[status];
  if (td.getAttribute("data-status") === status) return;
  td.setAttribute("data-status", status);
  td.replaceChildren(h("span", { class: `status status-${status}` }, statusIcon(status), ` ${word}`));
}

/**
 * User keys of a state map (keys starting with "~" are the system's), in human order.
 * @param {Record<string, string> | undefined} state
 * @returns {[string, string][]}
 */
function userEntries(state) {
  return Object.entries(state || {})
    .filter(([key]) => !key.startsWith("~"))
    .sort(([a], [b]) => byName(a, b));
}

/**
 * @typedef {object} PanelElements
 * @property {HTMLElement} title
 * @property {HTMLElement} summary
 * @property {HTMLElement} kvRows
 * @property {HTMLElement} kvEmpty
 * @property {HTMLElement} memberRows
 * @property {HTMLElement} counters
 */

/**
 * onDeleteKey(key) deletes a key of the shown node; onSelect(name) makes a member the observer.
 * @param {PanelElements} els
 * @param {(key: string) => void} onDeleteKey
 * @param {(name: string) => void} onSelect
 */
export function createPanel(els, onDeleteKey, onSelect) {
  /** @param {[string, string]} entry */
  function createKvRow(entry) {
    const key = entry[0];
    return h(
      "tr",
      {},
      h("th", { scope: "row", class: "mono" }, key),
      h("td", { class: "mono value" }),
      h(
        "td",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "small needs-token",
            "aria-label": `Delete key ${key}`,
            onclick: () => onDeleteKey(key),
          },
          "Delete",
        ),
      ),
    );
  }

  /** @param {MemberView} member */
  function createMemberRow(member) {
    // An agent is not a node: it cannot be the observer, so its name is plain text.
    const name =
      member.kind === "agent"
        ? h("span", {}, member.node)
        : h(
            "button",
            { type: "button", class: "link-button", onclick: () => onSelect(member.node) },
            member.node,
          );
    return h(
      "tr",
      { "data-kind": member.kind === "agent" ? "agent" : "node" },
      h("th", { scope: "row" }, name),
      h("td", { class: "kind" }),
      h("td", { class: "region" }),
      h("td", {}),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "mono state" }),
    );
  }

  /**
   * @param {HTMLTableRowElement} tr
   * @param {MemberView} member
   */
  function updateMemberRow(tr, member) {
    const [, kind, region, statusTd, generation, heartbeat, phi, maxVersion, state] = Array.from(tr.children);
    if (!kind || !region || !statusTd || !generation || !heartbeat || !phi || !maxVersion || !state) return;
    const status = statusOf(member.status);
    setAttr(tr, "data-status", status);
    setText(kind, member.kind === "agent" ? `agent, home ${member.home ?? "–"}` : "node");
    setText(region, member.region ?? "–");
    statusCell(statusTd, status);
    setText(generation, String(member.generation ?? "–"));
    setText(heartbeat, fmtInt(member.heartbeat));
    setText(phi, fmtPhi(member.phi));
    setText(maxVersion, fmtInt(member.maxVersion));
    setText(
      state,
      userEntries(member.state)
        .map(([key, value]) => `${key}=${value}`)
        .join(", "),
    );
  }

  return {
    /**
     * @param {NodeView | null} view
     * @param {boolean} hasToken
     */
    render(view, hasToken) {
      if (!view) {
        setText(els.title, "Node");
        setText(els.summary, "No node selected.");
        els.kvRows.replaceChildren();
        els.memberRows.replaceChildren();
        els.kvEmpty.hidden = false;
        els.counters.replaceChildren();
        return;
      }
      const self = view.self;
      setText(els.title, `Node ${view.node}`);
      const config = view.config || {};
      const facts = [
        STATUS_WORD[statusOf(view.status)],
        view.running ? "running" : "stopped",
        `generation ${view.generation}`,
        self?.region ? `region ${self.region}` : "",
        `heartbeat ${fmtInt(self?.heartbeat)}`,
        `interval ${fmtInt(config.intervalMs)} ms`,
        `fanout ${fmtInt(config.fanout)}`,
        typeof config.mode === "string" ? config.mode : "",
        `seeds ${(view.seeds || []).join(", ") || "none"}`,
      ];
      setText(els.summary, facts.filter(Boolean).join(" · "));

      const kv = userEntries(self?.state);
      syncChildren(
        els.kvRows,
        kv,
        (entry) => entry[0],
        createKvRow,
        (tr, entry) => {
          const [, value] = Array.from(tr.children);
          if (value) setText(value, entry[1]);
          const button = tr.querySelector("button");
          if (button) button.disabled = !hasToken;
        },
      );
      els.kvEmpty.hidden = kv.length > 0;

      const members = (view.members || []).slice().sort((a, b) => byName(a.node, b.node));
      syncChildren(els.memberRows, members, (m) => m.node, createMemberRow, updateMemberRow);

      /** @type {Counters} */
      const counters = view.counters || {};
      syncChildren(
        els.counters,
        COUNTERS,
        (entry) => entry[0],
        (entry) => h("div", {}, h("dt", {}, entry[0]), h("dd", {})),
        (div, entry) => {
          const dd = div.children[1];
          if (dd) setText(dd, entry[1](counters));
        },
      );
    },
  };
}
