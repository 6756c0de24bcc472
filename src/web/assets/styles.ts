/**
 * The dashboard's stylesheet, /dashboard.css: a dark, calm layout. Status colours are chosen
 * to stay apart for common colour-vision deficiencies and always come with a shape and a word.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw, so escapes in the client source reach the browser as written.
export const stylesCss = String.raw`:root {
  color-scheme: dark;
  --bg: #0d1117;
  --card: #151b23;
  --card-2: #1c242e;
  --line: #2c3642;
  --text: #e6edf3;
  --muted: #9ba8b5;
  --accent: #7cc4ff;
  --focus: #ffd866;
  --alive: #3ecf8e;
  --joining: #6cb6ff;
  --suspect: #f5b83d;
  --dead: #ff6b5b;
  --left: #a7b1bb;
  --unknown: #6b7785;
  --ok: #3ecf8e;
  --warn: #f5b83d;
  --error: #ff8274;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
h1, h2, h3 { margin: 0; font-weight: 600; }
h2 { font-size: 16px; margin-bottom: 6px; }
h3 { font-size: 13px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
.sub { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 6px; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.mono, code { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; top: 8px; background: var(--focus); color: #000; padding: 6px 10px; border-radius: 6px; z-index: 2; }
.skip:focus { left: 8px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }

.top {
  display: flex; flex-wrap: wrap; align-items: center; gap: 14px 22px;
  padding: 12px 20px; border-bottom: 1px solid var(--line); background: #10151c;
}
.brand { display: flex; align-items: center; gap: 8px; font-size: 20px; letter-spacing: 0.01em; }
.brand span { font-weight: 400; color: var(--muted); font-size: 14px; }
.inline { display: flex; align-items: center; gap: 8px; }
.convergence {
  margin: 0 0 0 auto; padding: 6px 12px; border-radius: 999px; font-weight: 600;
  border: 1px solid var(--line); background: var(--card);
}
.convergence.ok { color: var(--ok); border-color: color-mix(in srgb, var(--ok) 50%, transparent); }
.convergence.warn { color: var(--warn); border-color: color-mix(in srgb, var(--warn) 50%, transparent); }
.convergence.idle { color: var(--muted); }

label { color: var(--muted); font-size: 13px; }
input, select, button {
  font: inherit; color: var(--text); background: var(--card-2); border: 1px solid var(--line);
  border-radius: 7px; padding: 6px 10px; min-height: 34px;
}
input { min-width: 0; }
input[type="number"] { width: 96px; }
#cluster { width: 150px; }
select { min-width: 90px; }
input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
button { cursor: pointer; background: #24466b; border-color: #3a6a9c; font-weight: 600; }
button:hover:not(:disabled) { background: #2d5682; }
button.secondary { background: var(--card-2); border-color: var(--line); font-weight: 500; }
button.danger { background: #5a2a27; border-color: #8c3f39; }
button.danger:hover:not(:disabled) { background: #6d322e; }
button:disabled { opacity: 0.45; cursor: not-allowed; }
button.small { min-height: 26px; padding: 2px 8px; font-size: 12px; font-weight: 500; }
.link-button { background: none; border: none; padding: 0; min-height: 0; color: var(--accent); font-weight: 600; text-decoration: underline; text-underline-offset: 2px; }
.link-button:hover:not(:disabled) { background: none; color: #a8d8ff; }

.alert {
  display: flex; align-items: center; gap: 12px; margin: 12px 20px 0; padding: 10px 14px;
  border: 1px solid #a6463d; border-left-width: 5px; border-radius: 8px; background: #2a1513; color: #ffd4cf;
}
.alert[hidden] { display: none; }
.alert p { margin: 0; flex: 1; font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 13px; overflow-wrap: anywhere; }
.alert p::before { content: "Error · "; font-family: system-ui, sans-serif; font-weight: 700; color: var(--error); }

.layout {
  display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 16px; padding: 16px 20px 24px;
  max-width: 1600px; margin: 0 auto;
}
@media (max-width: 1000px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.column { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; min-width: 0; }
.card > p { margin: 4px 0; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 10px 0; }
#poll-status.error { color: var(--error); font-weight: 600; }
.notice { color: var(--ok); min-height: 1.4em; margin: 4px 0 0; }

/* The mesh */
.mesh { display: block; width: 100%; height: auto; max-height: 72vh; margin: 4px auto; }
.link { stroke: #8aa0b6; stroke-opacity: 0.2; stroke-width: 1; }
.link.weak { stroke-dasharray: 3 4; stroke-opacity: 0.12; }
.link.fresh { stroke: var(--accent); stroke-opacity: 0.55; stroke-width: 1.6; }
.centre-title { font-size: 22px; font-weight: 700; fill: var(--text); }
.centre-sub { font-size: 15px; fill: var(--muted); }
.centre.ok .centre-sub { fill: var(--ok); }
.centre.warn .centre-sub { fill: var(--warn); }
.node { cursor: pointer; outline: none; }
.node .label { font-size: 12.5px; fill: var(--muted); }
.node .label-name { font-weight: 700; font-size: 14px; fill: var(--text); }
.node .label-status { fill: currentColor; }
.node .label-metrics { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 11.5px; }
.focus-ring { fill: none; stroke: var(--focus); stroke-width: 3; opacity: 0; }
.node:focus-visible .focus-ring { opacity: 1; }
.observer-ring { fill: none; stroke: var(--text); stroke-width: 2; opacity: 0; }
.node.is-observer .observer-ring { opacity: 0.9; }
.differs-ring { fill: none; stroke: var(--warn); stroke-width: 2; stroke-dasharray: 4 3; opacity: 0; }
.node.differs .differs-ring { opacity: 1; }
.badge-stopped { display: none; }
.badge-stopped circle { fill: #0d1117; stroke: var(--text); stroke-width: 1.5; }
.badge-stopped rect { fill: var(--text); }
.node.stopped .badge-stopped { display: inline; }
.badge-write { display: none; fill: var(--accent); stroke: #0d1117; stroke-width: 2; }
.node.has-write .badge-write { display: inline; }
.node:hover .glyph { filter: brightness(1.2); }
.mesh.compact .label-metrics { display: none; }

/* Status colours: one custom property per status, shapes read it. */
.status-alive { color: var(--alive); --c: var(--alive); }
.status-joining { color: var(--joining); --c: var(--joining); }
.status-suspect { color: var(--suspect); --c: var(--suspect); }
.status-dead { color: var(--dead); --c: var(--dead); }
.status-left { color: var(--left); --c: var(--left); }
.status-unknown { color: var(--unknown); --c: var(--unknown); }
.g-fill { fill: var(--c); stroke: var(--c); stroke-width: 1; transition: fill 0.4s, stroke 0.4s; }
.g-line { fill: color-mix(in srgb, var(--c) 12%, transparent); stroke: var(--c); stroke-width: 3; }
.g-dashed { stroke-dasharray: 5 3; }
.g-dotted { stroke-dasharray: 2 3; }
.g-mark { stroke: #0d1117; stroke-width: 3.2; stroke-linecap: round; fill: none; }
.status-dead .g-fill { fill: color-mix(in srgb, var(--dead) 85%, #000); }
.icon { vertical-align: -2px; overflow: visible; }
.icon .g-line { stroke-width: 2.5; }
.icon .g-mark { stroke-width: 2.5; }

.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; list-style: none; margin: 4px 0 0; padding: 0; font-size: 12.5px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 5px; }
.legend-stopped, .legend-differs, .legend-write { display: inline-block; width: 13px; height: 13px; border-radius: 50%; }
.legend-stopped { border: 1.5px solid var(--text); background: linear-gradient(90deg, transparent 30%, var(--text) 30% 45%, transparent 45% 58%, var(--text) 58% 73%, transparent 73%); background-size: 100% 55%; background-position: center; background-repeat: no-repeat; }
.legend-differs { border: 2px dashed var(--warn); }
.legend-write { background: var(--accent); width: 10px; height: 10px; }

/* The panel */
.panel { align-self: start; }
.panel:focus { outline: none; }
.scroll { overflow-x: auto; }
table.data { width: 100%; border-collapse: collapse; font-size: 13px; }
table.data th, table.data td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.data thead th { color: var(--muted); font-weight: 500; font-size: 12px; border-bottom-color: #3a4552; }
table.data tbody tr:hover { background: #1a212a; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.state { min-width: 120px; overflow-wrap: anywhere; color: var(--muted); }
table.data td.value { overflow-wrap: anywhere; }
table.data td.actions { text-align: right; width: 1%; }
.status { display: inline-flex; align-items: center; gap: 5px; white-space: nowrap; }
#kv-empty[hidden] { display: none; }
.counters { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; margin: 0; }
.counters div { background: var(--card-2); border: 1px solid var(--line); border-radius: 8px; padding: 6px 10px; }
.counters dt { color: var(--muted); font-size: 11.5px; }
.counters dd { margin: 0; font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
.events { list-style: none; margin: 0; padding: 0; max-height: 220px; overflow-y: auto; font-size: 13px; }
.events li { display: flex; align-items: center; gap: 6px; padding: 3px 0; border-bottom: 1px solid #222b35; }
.events time { color: var(--muted); font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12px; }
.events .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--accent); margin: 0 3px; }
`;
