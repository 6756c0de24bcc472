/**
 * The owners box: a key typed by the person, its owners (GET /v1/clusters/:cluster/owners) as
 * the observer sees them, re-read on every poll so the marks on the mesh move when an owner
 * stops and the observer's view catches up. When the observer is not running, any running
 * node answers. Ranks are 1-based, in preference order.
 */
import { ApiError, api } from "./api.js";
import { h, setText } from "./dom.js";

/**
 * @typedef {object} OwnersElements
 * @property {HTMLFormElement} form
 * @property {HTMLInputElement} key
 * @property {HTMLInputElement} n
 * @property {HTMLOListElement} list
 * @property {HTMLElement} text
 */

/**
 * @param {OwnersElements} el
 * @param {() => void} onSubmit called when the person asks for a key (the page refreshes at once)
 */
export function createOwnersBox(el, onSubmit) {
  let key = "";
  let n = 3;
  /** @type {Map<string, number>} */
  let ranks = new Map();

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    key = el.key.value;
    n = Number(el.n.value) || 3;
    ranks = new Map();
    render([], key ? "Asking…" : "");
    onSubmit();
  });

  /**
   * @param {{ node: string, weight: number, region: string | null }[]} owners
   * @param {string} text
   */
  function render(owners, text) {
    el.list.replaceChildren(
      ...owners.map((owner) =>
        h(
          "li",
          { "data-node": owner.node },
          h("strong", {}, owner.node),
          ` weight ${owner.weight}${owner.region ? `, ${owner.region}` : ""}`,
        ),
      ),
    );
    setText(el.text, text);
  }

  return {
    /** The owners' ranks (1 = first choice) by node name; empty without a key. */
    ranks: () => ranks,

    /**
     * Re-reads the key's owners; never throws (a failure is shown in the box).
     * @param {string} cluster
     * @param {string} observer
     * @param {boolean} observerRuns
     */
    async refresh(cluster, observer, observerRuns) {
      if (!key) return;
      const asked = key;
      try {
        const from = observer && observerRuns ? { from: observer } : {};
        const answer = await api.owners(cluster, asked, { n, ...from });
        if (asked !== key) return;
        ranks = new Map(answer.owners.map((owner, i) => [owner.node, i + 1]));
        const none = answer.owners.length === 0 ? "No alive node owns it. " : "";
        render(answer.owners, `${none}As ${answer.from} sees it (view ${answer.fingerprint}).`);
      } catch (error) {
        if (asked !== key) return;
        ranks = new Map();
        render([], error instanceof ApiError ? error.describe() : String(error));
      }
    },
  };
}
