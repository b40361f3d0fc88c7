// The interactive charts of a pair page (section#explore): each slot first shows the
// server's SVG chart, which answers the pointer as soon as /api/figures (fetched at once,
// preloaded by the page) has arrived: a crosshair with the date and the value of every
// series of the chart's figure at that date (crosshair.js, the same values Plotly shows
// later), and the figure's controls (range presets, window selector, log/linear) whose
// choices are applied when the interactive chart replaces the picture. After the first
// frame is painted this loads Plotly.js (only now, so
// that neither its transfer nor its parsing delays the first paint), loads /api/symbols
// into the pair picker, draws /api/figures with Plotly.js in place of the SVG charts (those
// in the viewport first, each other one as it approaches the viewport or in idle time),
// reruns on a picked pair or date range, and reloads when /api/generation changes (a refresh
// replaced the pair's data). Once every chart is drawn it registers the service worker that
// keeps Plotly.js compiled for the next visit (worker.js).
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
  const xhair = window.lockstepCrosshair;
  // The figures of the pair first shown, asked for at once (the page preloads the same URL):
  // the crosshair of each server chart reads them, and the first interactive draw.
  function query(c) {
    const p = new URLSearchParams({ a: c.a, b: c.b });
    if (c.from) p.set("from", c.from);
    if (c.to) p.set("to", c.to);
    return p;
  }
  async function figures(c) {
    const r = await fetch("/api/figures?" + query(c), { credentials: "same-origin" });
    return { ok: r.ok, status: r.status, j: await r.json() };
  }
  let early = figures(cur);
  const earlyKey = String(query(cur));
  // The pictures are of the page's pair, over its whole range, on its clock: the crosshair
  // reads the figures only when they are of exactly that.
  const pictured =
    cur.a === sec.dataset.a && cur.b === sec.dataset.b && !cur.from && !cur.to && !q.has("clock");
  early
    .then(async (res) => {
      if (!res.ok || !xhair || !pictured) return;
      for (const name of names) {
        const div = el("fig-" + name);
        if (res.j.figures[name] && xhair.attach(div, res.j.figures[name])) {
          if (window.lockstepPointerReadyMs === undefined) {
            window.lockstepPointerReadyMs = performance.now();
          }
        }
        // One chart a task: the page answers input between them.
        await new Promise((r) => setTimeout(r, 0));
      }
    })
    .catch(() => {});
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
  // Whether an element's box is within `margin` px of the viewport.
  function near(e, margin) {
    const r = e.getBoundingClientRect();
    return r.bottom >= -margin && r.top <= innerHeight + margin && r.width > 0;
  }
  let loads = 0;
  async function load() {
    const token = ++loads;
    status.textContent = "loading " + cur.a + " vs " + cur.b + "…";
    sec.dataset.loaded = "";
    // The figures fetched at once serve the first draw of the same pair and range.
    const mine = early && String(query(cur)) === earlyKey ? early : null;
    early = null;
    const r = await (mine ? mine.catch(() => figures(cur)) : figures(cur));
    const j = r.j;
    if (token !== loads) return;
    if (!r.ok) {
      status.textContent = j.error ? j.error.message : "HTTP " + r.status;
      sec.dataset.loaded = "error";
      return;
    }
    const todo = [];
    for (const name of names) {
      const div = el("fig-" + name);
      if (j.figures[name]) {
        todo.push(name);
        continue;
      }
      // The picked pair has no such figure: its slot is emptied.
      leave(div);
      div.hidden = true;
      Plotly.purge(div);
    }
    // The charts in the viewport become interactive first, in page order; each other one
    // when it comes within a viewport's height of the viewport, or else in idle time, one
    // at a time (each is drawn once).
    const seen = todo.filter((n) => near(el("fig-" + n), 0));
    const rest = todo.filter((n) => !seen.includes(n));
    for (const name of seen) {
      await draw(name, j.figures[name]);
      if (token !== loads) return;
    }
    if (first) window.lockstepViewportRenderMs = performance.now();
    await drawRest(rest, j, token);
    if (token !== loads) return;
    window.lockstepFigures = j;
    status.textContent =
      j.a + " vs " + j.b + ": " + j.first + " to " + j.last +
      (j.from || j.to ? " (range " + (j.from || "…") + " to " + (j.to || "…") + ")" : "");
    sec.dataset.loaded = [j.a, j.b, j.from || "", j.to || ""].join("|");
    if (first) {
      first = false;
      window.lockstepFirstRenderMs = performance.now();
      keep();
    }
  }
  // Once every chart is drawn, in idle time: the service worker that keeps Plotly.js
  // compiled for the next page (where the browser allows one: a secure context).
  function keep() {
    if (!("serviceWorker" in navigator) || !sec.dataset.worker) return;
    idle(() => {
      navigator.serviceWorker.register(sec.dataset.worker, { scope: "/" }).catch(() => {});
    });
  }
  // The server's SVG chart of a slot leaves it to the interactive one (or to nothing).
  function leave(div) {
    if (xhair) xhair.detach(div);
    const still = div.querySelector("figure.chart");
    if (!still) return;
    // The charts index links to the slot from now on.
    for (const a of document.querySelectorAll('a[href="#' + still.id + '"]')) {
      a.setAttribute("href", "#" + div.id);
    }
    still.remove();
  }
  async function draw(name, f) {
    const div = el("fig-" + name);
    leave(div);
    div.hidden = false;
    // The controls touched on the picture, applied once the interactive chart is drawn.
    const chosen = xhair ? xhair.take(div) : null;
    await Plotly.react(div, f.data, f.layout, f.config);
    if (window.lockstepCharts) window.lockstepCharts.wire(div);
    if (chosen) await xhair.apply(div, chosen);
    if (first && window.lockstepFirstChartMs === undefined) {
      window.lockstepFirstChartMs = performance.now();
    }
    // Let the browser paint each chart before drawing the next.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
  // Draw `rest` (slots outside the viewport): a slot that approaches the viewport first,
  // otherwise the next one in page order when the browser is idle.
  function drawRest(rest, j, token) {
    return new Promise((done) => {
      if (!rest.length) return done();
      const close = new Set();
      let busy = false;
      let waiting = false;
      const io = new IntersectionObserver(
        (es) => {
          for (const e of es) if (e.isIntersecting) close.add(e.target.dataset.figure);
          pump(false);
        },
        { rootMargin: "100% 0px" }
      );
      for (const n of rest) io.observe(el("fig-" + n));
      async function pump(fromIdle) {
        if (busy) return;
        if (token !== loads || !rest.length) {
          io.disconnect();
          return done();
        }
        const name = rest.find((n) => close.has(n)) || (fromIdle ? rest[0] : null);
        if (!name) {
          if (!waiting) {
            waiting = true;
            idle(() => {
              waiting = false;
              pump(true);
            }, { timeout: 1000 });
          }
          return;
        }
        busy = true;
        rest.splice(rest.indexOf(name), 1);
        io.unobserve(el("fig-" + name));
        await draw(name, j.figures[name]);
        busy = false;
        pump(false);
      }
      pump(false);
    });
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
  // Load Plotly.js; when it fails (the network), the pictures keep their crosshair and a
  // button tries again.
  function plotly() {
    const s = document.createElement("script");
    // Without a service worker (not a secure context) Plotly.js is compiled lazily.
    s.src = sec.dataset.plotly + ("serviceWorker" in navigator ? "" : "?compile=lazy");
    s.onload = start;
    s.onerror = () => {
      s.remove();
      status.textContent =
        "the interactive charts are unavailable: Plotly.js did not load (the charts below " +
        "still show their values under the pointer) ";
      const again = document.createElement("button");
      again.type = "button";
      again.id = "explore-retry";
      again.textContent = "Try again";
      again.addEventListener("click", () => {
        status.textContent = "loading the interactive charts…";
        plotly();
      });
      status.appendChild(again);
    };
    document.head.appendChild(s);
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
      plotly();
    }, 0);
  });
})();
