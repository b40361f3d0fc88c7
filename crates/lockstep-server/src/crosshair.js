// The crosshair of the server's charts on a pair page (window.lockstepCrosshair), so that
// each chart answers the pointer before Plotly.js has arrived. attach(div, figure) wires the
// picture (figure.chart img) of a slot (div.figure, whose data-plots gives where the chart's
// date axes are: per plotting area "x_start x_end top bottom start end", in the SVG's pixels,
// from lockstep_charts::PlotArea) to its Plotly figure of /api/figures: under a mouse or a
// finger (pointer events; held still a moment, the crosshair follows it) a vertical line at the nearest date of the figure's data and a
// label with that date and the value of every series Plotly's unified hover lists (visible,
// not skipped), formatted by the trace's own hovertemplate; a missing value is "—". Above
// the picture, the figure's own controls (its range buttons, its button menus: window
// selector, log/linear), taken from its layout; a choice is kept (take) and applied to the
// interactive chart once it is drawn (apply), a window choice already to the label.
window.lockstepCrosshair = (function () {
  "use strict";
  const DAY = 86400000;
  // How long a finger is held still before the crosshair follows it, in ms.
  const HOLD_MS = 250;
  // Days since 1970-01-01 of "YYYY-MM-DD…" (what the figures' x and data-plots hold).
  const day = (s) => {
    s = String(s);
    return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / DAY;
  };
  const iso = (d) => new Date(d * DAY).toISOString().slice(0, 10);
  // The index of the last element of sorted `a` that is <= v (-1 when none).
  function floor(a, v) {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m] <= v) lo = m + 1;
      else hi = m;
    }
    return lo - 1;
  }
  // The d3 formats of Plotly's hovertemplates used by the figures: ".Nf" and ".N%".
  function formatter(template) {
    const m = /%\{y:\.(\d+)([f%])\}/.exec(template || "");
    if (!m) return (v) => String(v);
    const n = Number(m[1]);
    return m[2] === "%" ? (v) => (100 * v).toFixed(n) + "%" : (v) => v.toFixed(n);
  }
  function model(fig) {
    // Traces on the same dates (most of them) share one converted array.
    let last = null;
    let lastDays = null;
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    const traces = fig.data.map((t) => {
      const raw = t.x || [];
      const x = last && same(raw, last) ? lastDays : raw.map(day);
      last = raw;
      lastDays = x;
      return {
        name: t.name || "",
        color: (t.line && t.line.color) || "#444",
        x: x,
        y: t.y || [],
        fmt: formatter(t.hovertemplate),
        skip: t.hoverinfo === "skip",
        visible: t.visible,
      };
    });
    const all = new Set();
    for (const t of traces) if (!t.skip) for (const d of t.x) all.add(d);
    return { traces: traces, days: Array.from(all).sort((a, b) => a - b) };
  }
  function plots(div) {
    return (div.dataset.plots || "")
      .split(";")
      .map((p) => p.trim().split(/\s+/))
      .filter((p) => p.length === 6)
      .map((p) => ({
        x0: Number(p[0]),
        x1: Number(p[1]),
        top: Number(p[2]),
        bottom: Number(p[3]),
        d0: day(p[4]),
        d1: day(p[5]),
      }))
      .filter((p) => p.x1 > p.x0 && p.d1 > p.d0 && p.bottom > p.top);
  }
  function node(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const wired = new WeakMap();
  function attach(div, fig) {
    if (!div || wired.has(div)) return wired.has(div);
    const img = div.querySelector("figure.chart img");
    const areas = plots(div);
    const width = img ? Number(img.getAttribute("width")) : 0;
    if (!img || !areas.length || !(width > 0) || !fig || !fig.data) return false;
    const m = model(fig);
    if (!m.days.length) return false;
    const st = { fig: fig, m: m, chosen: { menus: {} }, visible: null };
    wired.set(div, st);
    img.draggable = false;
    const layer = node("div", "xh");
    layer.setAttribute("aria-hidden", "true");
    const lines = areas.map(() => layer.appendChild(node("div", "xh-line")));
    const tip = layer.appendChild(node("div", "xh-tip"));
    layer.hidden = true;
    div.appendChild(layer);
    st.layer = layer;
    st.controls = controls(div, st);
    // The date under the pointer: the nearest date of the data on the plotting area the
    // pointer is over (or the nearest one vertically); null outside the date axes.
    function under(ev) {
      const r = img.getBoundingClientRect();
      const k = r.width / width;
      const sx = (ev.clientX - r.left) / k;
      const sy = (ev.clientY - r.top) / k;
      if (sy < areas[0].top || sy > areas[areas.length - 1].bottom) return null;
      let a = areas[0];
      for (const p of areas) if (Math.abs(sy - (p.top + p.bottom) / 2) < Math.abs(sy - (a.top + a.bottom) / 2)) a = p;
      if (sx < a.x0 || sx > a.x1) return null;
      const d = a.d0 + ((sx - a.x0) / (a.x1 - a.x0)) * (a.d1 - a.d0);
      const i = floor(m.days, d);
      let best = i < 0 ? m.days[0] : m.days[i];
      if (i + 1 < m.days.length && Math.abs(m.days[i + 1] - d) < Math.abs(best - d)) best = m.days[i + 1];
      if (best < a.d0 || best > a.d1) return null;
      return { day: best, r: r, k: k };
    }
    function show(ev) {
      const at = under(ev);
      if (!at) return hide();
      const box = div.getBoundingClientRect();
      const left = at.r.left - box.left;
      const top = at.r.top - box.top;
      let lx = 0;
      areas.forEach((a, n) => {
        const x = a.x0 + ((at.day - a.d0) / (a.d1 - a.d0)) * (a.x1 - a.x0);
        lx = left + x * at.k;
        const l = lines[n];
        l.style.left = lx + "px";
        l.style.top = top + a.top * at.k + "px";
        l.style.height = (a.bottom - a.top) * at.k + "px";
      });
      tip.replaceChildren(node("div", "xh-date", iso(at.day)));
      m.traces.forEach((t, n) => {
        const vis = st.visible ? st.visible[n] : t.visible;
        if (t.skip || vis === false || vis === "legendonly") return;
        const i = floor(t.x, at.day);
        const v = i >= 0 && t.x[i] === at.day ? t.y[i] : null;
        const row = node("div", "xh-row");
        const dot = row.appendChild(node("span", "xh-dot", "\u25cf "));
        dot.style.color = t.color;
        row.appendChild(document.createTextNode(t.name + ": "));
        row.appendChild(node("b", "", v === null || v === undefined ? "\u2014" : t.fmt(v)));
        row.dataset.series = t.name;
        tip.appendChild(row);
      });
      layer.hidden = false;
      div.dataset.hovered = iso(at.day);
      // Beside the line, on the side with room, inside the slot.
      const w = tip.offsetWidth;
      const h = tip.offsetHeight;
      let x = lx + 12;
      if (x + w > box.width) x = lx - 12 - w;
      tip.style.left = Math.max(0, Math.min(x, box.width - w)) + "px";
      const y = ev.clientY - box.top + 12;
      tip.style.top = Math.max(0, Math.min(y, box.height - h)) + "px";
    }
    function hide() {
      layer.hidden = true;
      delete div.dataset.hovered;
    }
    // A mouse moves the crosshair. A finger shows it where it touches; held still for a
    // moment it takes the crosshair, which then follows it (the page does not scroll under
    // it); moved at once it scrolls the page or the chart, as usual. A finger lifted leaves
    // the crosshair where it was; a mouse that leaves takes it away.
    let held = false;
    let hold = 0;
    let from = null;
    img.addEventListener("pointerdown", (ev) => {
      show(ev);
      if (ev.pointerType === "mouse") return;
      from = [ev.clientX, ev.clientY];
      clearTimeout(hold);
      hold = setTimeout(() => {
        held = true;
      }, HOLD_MS);
    });
    img.addEventListener("pointermove", (ev) => {
      if (ev.pointerType !== "mouse" && !held && from) {
        if (Math.hypot(ev.clientX - from[0], ev.clientY - from[1]) > 10) clearTimeout(hold);
        return;
      }
      show(ev);
    });
    const release = () => {
      clearTimeout(hold);
      held = false;
      from = null;
    };
    img.addEventListener("pointerup", release);
    img.addEventListener("pointercancel", release);
    img.addEventListener(
      "touchmove",
      (ev) => {
        if (held && ev.cancelable) ev.preventDefault();
      },
      { passive: false }
    );
    // No "save image" menu under a held finger.
    img.addEventListener("contextmenu", (ev) => {
      if (held || from) ev.preventDefault();
    });
    img.addEventListener("pointerleave", (ev) => {
      if (ev.pointerType === "mouse") hide();
    });
    // The picture scrolled inside its figure (a phone): the line would be off its date.
    const box = img.closest("figure");
    if (box) box.addEventListener("scroll", hide, { passive: true });
    return true;
  }
  // The figure's controls above its picture: its range buttons (layout.xaxis.rangeselector)
  // and each of its button menus (layout.updatemenus), the active ones pressed.
  function controls(div, st) {
    const lay = st.fig.layout || {};
    const bar = node("div", "xh-controls");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "chart controls (applied when the interactive chart is drawn)");
    const note = node("span", "xh-note");
    function group(labels, active, pick) {
      const g = bar.appendChild(node("span", "xh-group"));
      const bs = labels.map((l, i) => {
        const b = g.appendChild(node("button", "", l));
        b.type = "button";
        b.setAttribute("aria-pressed", String(i === active));
        b.addEventListener("click", () => {
          bs.forEach((x, j) => x.setAttribute("aria-pressed", String(j === i)));
          pick(i);
          note.textContent = "applied once the interactive chart is drawn";
        });
        return b;
      });
    }
    const rs = lay.xaxis && lay.xaxis.rangeselector;
    if (rs && rs.buttons) {
      group(rs.buttons.map((b) => b.label), -1, (i) => {
        st.chosen.range = i;
      });
    }
    (lay.updatemenus || []).forEach((menu, k) => {
      if (!menu.buttons) return;
      group(menu.buttons.map((b) => b.label), menu.active || 0, (i) => {
        st.chosen.menus[k] = i;
        // A choice of the visible traces shows in the label at once.
        const b = menu.buttons[i];
        const v = b.args && b.args[0] && b.args[0].visible;
        if ((b.method === "restyle" || b.method === "update") && Array.isArray(v)) st.visible = v;
      });
    });
    if (!bar.children.length) return null;
    bar.appendChild(note);
    div.insertBefore(bar, div.firstChild);
    return bar;
  }
  // Take away the crosshair and the controls of the picture of `div`.
  function detach(div) {
    const st = wired.get(div);
    if (!st) return;
    st.layer.remove();
    if (st.controls) st.controls.remove();
  }
  // The choices made on the picture of `div` (null when none), forgotten there.
  function take(div) {
    const st = wired.get(div);
    if (!st) return null;
    wired.delete(div);
    const c = st.chosen;
    return c.range === undefined && !Object.keys(c.menus).length ? null : c;
  }
  const ms = (s) => Date.parse(String(s).length <= 10 ? s : String(s).replace(" ", "T") + "Z");
  const stamp = (t) => new Date(t).toISOString().slice(0, 19).replace("T", " ");
  // Apply choices to the drawn Plotly chart `gd`, as its own buttons would: each menu's
  // button (its method and arguments, the button made active), then the range button
  // (`count` steps back from the end of the shown range, or every date).
  async function apply(gd, c) {
    const lay = gd.layout;
    for (const k of Object.keys(c.menus)) {
      const b = lay.updatemenus && lay.updatemenus[k] && lay.updatemenus[k].buttons[c.menus[k]];
      if (!b) continue;
      await Plotly.relayout(gd, { ["updatemenus[" + k + "].active"]: c.menus[k] });
      await Plotly[b.method](gd, ...b.args);
    }
    const rs = lay.xaxis && lay.xaxis.rangeselector;
    const b = c.range !== undefined && rs && rs.buttons[c.range];
    if (!b) return;
    if (b.step === "all") return Plotly.relayout(gd, { "xaxis.autorange": true });
    const end = ms(gd.layout.xaxis.range[1]);
    const d = new Date(end);
    const n = b.count || 1;
    if (b.step === "year") d.setUTCFullYear(d.getUTCFullYear() - n);
    else if (b.step === "month") d.setUTCMonth(d.getUTCMonth() - n);
    else if (b.step === "day") d.setUTCDate(d.getUTCDate() - n);
    else return;
    return Plotly.relayout(gd, { "xaxis.range": [stamp(d.getTime()), stamp(end)] });
  }
  return { attach: attach, detach: detach, take: take, apply: apply };
})();
