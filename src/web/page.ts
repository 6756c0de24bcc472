/**
 * The dashboard's HTML: static structure and every control with its label. No inline script or
 * style (the page runs under a same-origin-only CSP); /dashboard.js fills it in.
 */
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hearsay · gossip mesh dashboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script type="module" src="/dashboard.js"></script>
</head>
<body>
<a class="skip" href="#panel">Skip to the node panel</a>
<header class="top">
  <h1 class="brand"><img src="/favicon.svg" alt="" width="28" height="28"> hearsay <span>gossip mesh</span></h1>
  <form id="cluster-form" class="inline" autocomplete="off">
    <label for="cluster">Cluster</label>
    <input id="cluster" name="cluster" value="demo" required maxlength="64" spellcheck="false">
    <button type="submit">Watch</button>
  </form>
  <div class="inline">
    <label for="observer">Observer</label>
    <select id="observer" aria-describedby="observer-help"></select>
  </div>
  <p id="convergence" class="convergence" role="status" aria-live="polite">Loading…</p>
</header>

<div id="alert" class="alert" role="alert" hidden>
  <p id="alert-text"></p>
  <button id="alert-close" type="button">Dismiss</button>
</div>

<main class="layout">
  <div class="column">
    <section class="card mesh-card" aria-labelledby="mesh-title">
      <h2 id="mesh-title">Mesh <span id="mesh-sub" class="sub"></span></h2>
      <p id="observer-help" class="muted small">Colours, heartbeats and φ are as the observer sees them.
        Select a node (click, or Tab then Enter) to make it the observer.</p>
      <svg id="mesh" class="mesh" role="group" aria-label="Cluster nodes"></svg>
      <ul id="legend" class="legend" aria-label="Legend"></ul>
      <p id="poll-status" class="muted small"></p>
    </section>

    <section class="card" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <form id="token-form" class="row" autocomplete="off">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false"
          aria-describedby="token-state">
        <button type="submit">Use token</button>
        <button id="token-forget" type="button" class="secondary">Forget</button>
      </form>
      <p id="token-state" class="muted small">No token: the dashboard is read-only.</p>

      <form id="bootstrap-form" class="row" autocomplete="off">
        <label for="bootstrap-size">Nodes</label>
        <input id="bootstrap-size" name="size" type="number" min="1" max="64" value="12" required>
        <label for="bootstrap-interval">Interval (ms)</label>
        <input id="bootstrap-interval" name="intervalMs" type="number" min="50" max="60000" step="50"
          value="1000" required>
        <button type="submit" class="needs-token">Bootstrap cluster</button>
      </form>
      <p id="notice" class="notice small" role="status" aria-live="polite"></p>
    </section>
  </div>

  <section id="panel" class="card panel" aria-labelledby="panel-title" tabindex="-1">
    <h2 id="panel-title">Node</h2>
    <p id="panel-summary" class="muted"></p>

    <div class="row" role="group" aria-label="Node actions">
      <button id="action-stop" type="button" class="needs-token">Stop</button>
      <button id="action-start" type="button" class="needs-token">Start</button>
      <button id="action-leave" type="button" class="needs-token danger">Leave</button>
    </div>

    <form id="write-form" class="row" autocomplete="off">
      <label for="write-key">Key</label>
      <input id="write-key" name="key" required maxlength="128" pattern="[A-Za-z0-9._:\\-]+" spellcheck="false"
        placeholder="color">
      <label for="write-value">Value</label>
      <input id="write-value" name="value" maxlength="4096" spellcheck="false" placeholder="blue">
      <button type="submit" class="needs-token">Write</button>
    </form>
    <p id="write-spread" class="muted small" aria-live="polite"></p>

    <h3 id="kv-title">Key-values</h3>
    <table class="data" aria-labelledby="kv-title">
      <thead><tr><th scope="col">key</th><th scope="col">value</th><th scope="col"><span class="sr-only">actions</span></th></tr></thead>
      <tbody id="kv-rows"></tbody>
    </table>
    <p id="kv-empty" class="muted small">No keys.</p>

    <h3 id="members-title">Membership view</h3>
    <div class="scroll">
      <table class="data" aria-labelledby="members-title">
        <thead><tr>
          <th scope="col">node</th><th scope="col">status</th><th scope="col" class="num">generation</th>
          <th scope="col" class="num">heartbeat</th><th scope="col" class="num">φ</th>
          <th scope="col" class="num">maxVersion</th><th scope="col">state</th>
        </tr></thead>
        <tbody id="member-rows"></tbody>
      </table>
    </div>

    <h3>Counters</h3>
    <dl id="counters" class="counters"></dl>

    <h3 id="events-title">Events</h3>
    <p id="events-state" class="muted small"></p>
    <ol id="events" class="events" aria-labelledby="events-title"></ol>
  </section>
</main>
</body>
</html>
`;
