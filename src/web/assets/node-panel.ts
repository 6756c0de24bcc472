/**
 * Client module /dashboard/panel.js: the selected node's own story: its status and config,
 * its key-values (with delete buttons), its view of every member, and its counters. Rows are
 * keyed so focus and scroll survive the once-a-second refresh.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so escapes in the client source reach the browser as written.
export const nodePanelJs = String.raw`// The node panel.
import { byName, fmtBytes, fmtInt, fmtPhi, h, setAttr, setText, syncChildren } from "./dom.js";
import { STATUS_WORD, statusIcon, statusOf } from "./glyphs.js";

const COUNTERS = [
  ["rounds", (c) => fmtInt(c.rounds)],
  ["exchanges started", (c) => fmtInt(c.exchangesStarted)],
  ["exchanges completed", (c) => fmtInt(c.exchangesCompleted)],
  ["exchanges failed", (c) => fmtInt(c.exchangesFailed)],
  ["exchanges answered", (c) => fmtInt(c.exchangesAnswered)],
  ["messages sent / received", (c) => fmtInt(c.messagesSent) + " / " + fmtInt(c.messagesReceived)],
  ["bytes sent", (c) => fmtBytes(c.bytesSent)],
  ["bytes received", (c) => fmtBytes(c.bytesReceived)],
  ["rejected messages", (c) => fmtInt(c.rejectedMessages)],
  ["keys written", (c) => fmtInt(c.keysWritten)],
  ["RPC calls made / answered", (c) => fmtInt(c.rpcCallsMade) + " / " + fmtInt(c.rpcCallsAnswered)],
  ["storage rows written", (c) => fmtInt(c.storageRowsWritten)],
  ["round errors", (c) => fmtInt(c.roundErrors)],
];

function statusCell(td, status) {
  const word = STATUS_WORD[status];
  if (td.getAttribute("data-status") === status) return;
  td.setAttribute("data-status", status);
  td.replaceChildren(h("span", { class: "status status-" + status }, statusIcon(status), " " + word));
}

function stateText(state) {
  const entries = Object.entries(state || {})
    .filter(([key]) => !key.startsWith("~"))
    .sort(([a], [b]) => byName(a, b));
  if (entries.length === 0) return "";
  return entries.map(([key, value]) => key + "=" + value).join(", ");
}

/**
 * els: { title, summary, kvRows, kvEmpty, memberRows, counters }.
 * onDeleteKey(key) deletes a key of the shown node; onSelect(name) makes a member the observer.
 */
export function createPanel(els, onDeleteKey, onSelect) {
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
          { type: "button", class: "small needs-token", "aria-label": "Delete key " + key, onclick: () => onDeleteKey(key) },
          "Delete",
        ),
      ),
    );
  }

  function createMemberRow(member) {
    return h(
      "tr",
      {},
      h(
        "th",
        { scope: "row" },
        h("button", { type: "button", class: "link-button", onclick: () => onSelect(member.node) }, member.node),
      ),
      h("td", {}),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "num" }),
      h("td", { class: "mono state" }),
    );
  }

  function updateMemberRow(tr, member) {
    const cells = tr.children;
    const status = statusOf(member.status);
    setAttr(tr, "data-status", status);
    statusCell(cells[1], status);
    setText(cells[2], String(member.generation ?? "–"));
    setText(cells[3], fmtInt(member.heartbeat));
    setText(cells[4], fmtPhi(member.phi));
    setText(cells[5], fmtInt(member.maxVersion));
    setText(cells[6], stateText(member.state));
  }

  return {
    render(view, hasToken) {
      if (!view) {
        setText(els.title, "Node");
        setText(els.summary, "No node selected.");
        syncChildren(els.kvRows, [], () => "", createKvRow, () => {});
        syncChildren(els.memberRows, [], () => "", createMemberRow, () => {});
        els.kvEmpty.hidden = false;
        els.counters.replaceChildren();
        return;
      }
      const self = view.self || {};
      setText(els.title, "Node " + view.node);
      const config = view.config || {};
      const facts = [
        STATUS_WORD[statusOf(view.status)],
        view.running ? "running" : "stopped",
        "generation " + view.generation,
        "heartbeat " + fmtInt(self.heartbeat),
        "interval " + fmtInt(config.intervalMs) + " ms",
        "fanout " + fmtInt(config.fanout),
        config.mode || "",
        "seeds " + ((view.seeds || []).join(", ") || "none"),
      ];
      setText(els.summary, facts.filter(Boolean).join(" · "));

      const kv = Object.entries(self.state || {})
        .filter(([key]) => !key.startsWith("~"))
        .sort(([a], [b]) => byName(a, b));
      syncChildren(els.kvRows, kv, (entry) => entry[0], createKvRow, (tr, entry) => {
        setText(tr.children[1], entry[1]);
        tr.querySelector("button").disabled = !hasToken;
      });
      els.kvEmpty.hidden = kv.length > 0;

      const members = (view.members || []).slice().sort((a, b) => byName(a.node, b.node));
      syncChildren(els.memberRows, members, (m) => m.node, createMemberRow, updateMemberRow);

      const counters = view.counters || {};
      syncChildren(
        els.counters,
        COUNTERS,
        (entry) => entry[0],
        (entry) => h("div", {}, h("dt", {}, entry[0]), h("dd", {})),
        (div, entry) => setText(div.children[1], entry[1](counters)),
      );
    },
  };
}
`;
