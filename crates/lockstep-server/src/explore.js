// The interactive charts of a pair page (section#explore): each slot first shows the
// server's SVG chart; after the first frame is painted this loads Plotly.js (only now, so
// that neither its transfer nor its parsing delays the first paint), loads /api/symbols
// into the pair picker, draws /api/figures with Plotly.js in place of the SVG charts, reruns
// on a picked pair or date range, and reloads when /api/generation changes (a refresh
// replaced the pair's data).
(function () {
  "use strict";
  const sec = document.getElementById("explore");
  if (!sec) return;
  const el = (id) => document.getElementById(id);
  const names = ["overlay", "correlation", "momentum", "equity"];
  const q = new URLSearchParams(location.search);
  const cur = {
    a: q.get("a") || sec.dataset.a,
    b: q.get("b") || sec.dataset.b,
    from: q.get("from") || "",
    to: q.get("to") || "",
  };
  const status = el("explore-status");
  let first = true;
  function option(sel, value, label) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    sel.appendChild(o);
  }
  async function symbols() {
    const r = await fetch("/api/symbols", { credentials: "same-origin" });
    if (!r.ok) return;
    const j = await r.json();
    const wl = el("pick-watch");
    for (const p of j.watchlist) option(wl, p.a + "\u0000" + p.b, p.a + " vs " + p.b);
    for (const id of ["pick-a", "pick-b"]) {
      const s = el(id);
      for (const x of j.symbols) option(s, x.symbol, x.symbol);
    }
    sync();
  }
  function sync() {
    el("pick-a").value = cur.a;
    el("pick-b").value = cur.b;
    el("pick-from").value = cur.from;
    el("pick-to").value = cur.to;
    el("pick-watch").value = cur.a + "\u0000" + cur.b;
  }
  async function load() {
    const p = new URLSearchParams({ a: cur.a, b: cur.b });
    if (cur.from) p.set("from", cur.from);
    if (cur.to) p.set("to", cur.to);
    status.textContent = "loading " + cur.a + " vs " + cur.b + "…";
    sec.dataset.loaded = "";
    const r = await fetch("/api/figures?" + p, { credentials: "same-origin" });
    const j = await r.json();
    if (!r.ok) {
      status.textContent = j.error ? j.error.message : "HTTP " + r.status;
      sec.dataset.loaded = "error";
      return;
    }
    for (const name of names) {
      const div = el("fig-" + name);
      const f = j.figures[name];
      // The server's SVG chart leaves its slot to the interactive one (or to nothing: the
      // picked pair has no such figure).
      const still = div.querySelector("figure.chart");
      if (still) {
        // The charts index links to the slot from now on.
        for (const a of document.querySelectorAll('a[href="#' + still.id + '"]')) {
          a.setAttribute("href", "#" + div.id);
        }
        still.remove();
      }
      if (!f) {
        div.hidden = true;
        Plotly.purge(div);
        continue;
      }
      div.hidden = false;
      await Plotly.react(div, f.data, f.layout, f.config);
      if (window.lockstepCharts) window.lockstepCharts.wire(div);
      if (first && window.lockstepFirstChartMs === undefined) {
        window.lockstepFirstChartMs = performance.now();
      }
      // Let the browser paint each chart before drawing the next.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    window.lockstepFigures = j;
    status.textContent =
      j.a + " vs " + j.b + ": " + j.first + " to " + j.last +
      (j.from || j.to ? " (range " + (j.from || "…") + " to " + (j.to || "…") + ")" : "");
    sec.dataset.loaded = [j.a, j.b, j.from || "", j.to || ""].join("|");
    if (first) {
      first = false;
      window.lockstepFirstRenderMs = performance.now();
    }
  }
  el("pick-watch").addEventListener("change", (e) => {
    const [a, b] = e.target.value.split("\u0000");
    if (a && b) {
      el("pick-a").value = a;
      el("pick-b").value = b;
    }
  });
  el("picker").addEventListener("submit", (e) => {
    e.preventDefault();
    cur.a = el("pick-a").value || cur.a;
    cur.b = el("pick-b").value || cur.b;
    cur.from = el("pick-from").value;
    cur.to = el("pick-to").value;
    const p = new URLSearchParams({ a: cur.a, b: cur.b });
    if (cur.from) p.set("from", cur.from);
    if (cur.to) p.set("to", cur.to);
    history.replaceState(null, "", location.pathname + "?" + p);
    load();
  });
  let generation = null;
  async function poll() {
    try {
      const r = await fetch("/api/generation", { credentials: "same-origin" });
      const g = (await r.json()).generation;
      if (generation !== null && g !== generation) {
        await load();
        const live = el("live-note");
        if (live) live.textContent = "updated after a refresh at " + new Date().toLocaleTimeString();
      }
      generation = g;
    } catch (e) {
      /* the next poll retries */
    }
  }
  function start() {
    symbols();
    load();
    poll();
    setInterval(poll, Number(sec.dataset.poll || 15000));
  }
  // The first frame (the server's charts) is painted before Plotly.js is parsed.
  requestAnimationFrame(() => {
    window.lockstepStaticFrameMs = performance.now();
    setTimeout(() => {
      if (typeof Plotly !== "undefined") return start();
      const s = document.createElement("script");
      s.src = sec.dataset.plotly;
      s.onload = start;
      s.onerror = () => {
        status.textContent = "the interactive charts are unavailable: Plotly.js did not load";
      };
      document.head.appendChild(s);
    }, 0);
  });
})();
