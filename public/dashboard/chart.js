/**
 * The spread chart: a small SVG step curve of how many nodes know the tracked news over time,
 * from the moment it was made to when all N know, with a dashed line at N. The numbers are
 * also in data attributes and in a sentence beside it, for people who do not see the chart.
 */
import { s, setAttr, setText } from "./dom.js";
import { curve } from "./spread.js";

/** @typedef {import("./spread.js").SpreadState} SpreadState */

const W = 420;
const H = 170;
const PAD = { left: 34, right: 12, top: 12, bottom: 28 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

/** A round axis end in seconds, at least 5 s. @param {number} seconds */
function axisEnd(seconds) {
  for (const step of [5, 10, 15, 20, 30, 45, 60, 90, 120]) if (seconds <= step) return step;
  return Math.ceil(seconds / 60) * 60;
}

/**
 * @param {SVGSVGElement} svg
 * @param {HTMLElement} caption
 */
export function createChart(svg, caption) {
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const grid = s("g", { class: "chart-grid" });
  const target = s("line", { class: "chart-target" });
  const line = s("polyline", { class: "chart-line" });
  const dots = s("g", { class: "chart-dots" });
  svg.append(grid, target, line, dots);

  return {
    /**
     * @param {SpreadState | null} state
     * @param {number} now page clock, ms
     */
    render(state, now) {
      if (!state) {
        svg.classList.add("empty");
        setAttr(svg, "data-known", 0);
        setAttr(svg, "data-total", 0);
        line.setAttribute("points", "");
        dots.replaceChildren();
        grid.replaceChildren();
        setText(caption, "Write a key, stop or start a node, and watch the news reach every node.");
        return;
      }
      svg.classList.remove("empty");
      const total = Math.max(state.nodes.length, 1);
      const steps = curve(state);
      const known = steps.length;
      const end = state.doneAt ?? Math.min(now - state.startedAt, 600_000);
      const xMax = axisEnd(end / 1000) * 1000;
      /** @param {number} ms */
      const x = (ms) => PAD.left + (Math.min(ms, xMax) / xMax) * PLOT_W;
      /** @param {number} n */
      const y = (n) => PAD.top + PLOT_H - (n / total) * PLOT_H;

      const ticks = [];
      for (const f of [0, 0.5, 1]) {
        const ms = f * xMax;
        ticks.push(s("line", { x1: x(ms), x2: x(ms), y1: PAD.top, y2: PAD.top + PLOT_H }));
        ticks.push(
          s("text", { x: x(ms), y: H - 8, "text-anchor": "middle" }, `${Number((ms / 1000).toFixed(1))} s`),
        );
      }
      for (const n of [0, total]) {
        ticks.push(s("text", { x: PAD.left - 6, y: y(n) + 4, "text-anchor": "end" }, String(n)));
      }
      grid.replaceChildren(...ticks);
      setAttr(target, "x1", x(0));
      setAttr(target, "x2", x(xMax));
      setAttr(target, "y1", y(total));
      setAttr(target, "y2", y(total));

      let count = 0;
      const points = [`${x(0)},${y(0)}`];
      for (const [t, n] of steps) {
        points.push(`${x(t)},${y(count)}`, `${x(t)},${y(n)}`);
        count = n;
      }
      points.push(`${x(end)},${y(count)}`);
      line.setAttribute("points", points.join(" "));
      dots.replaceChildren(...steps.map(([t, n]) => s("circle", { cx: x(t), cy: y(n), r: 3 })));

      setAttr(svg, "data-known", known);
      setAttr(svg, "data-total", state.nodes.length);
      setAttr(svg, "data-done", state.doneAt !== null);
      let text = `${state.label}: ${known} of ${state.nodes.length} nodes know`;
      if (state.doneAt !== null) text += `, all within ${(state.doneAt / 1000).toFixed(1)} s.`;
      else if (state.gaveUp) text += `; stopped watching after ${Math.round(end / 1000)} s.`;
      // No running clock in the words: the caption is a live region, and speaks on every change.
      else text += " so far…";
      setText(caption, text);
      setAttr(svg, "aria-label", text);
    },
  };
}
