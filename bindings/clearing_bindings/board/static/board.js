// The market board: renders /v1/board snapshots and follows /v1/board/events.
"use strict";

(function () {
  const params = new URLSearchParams(window.location.search);
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  // The token arrives as #token= (never sent to the server with the page) or ?token=; it
  // is kept for this tab only and taken out of the address bar, so the page never shows it.
  const given = fragment.get("token") || params.get("token");
  if (given) sessionStorage.setItem("clearing-board-token", given);
  const token = sessionStorage.getItem("clearing-board-token");
  if (params.has("token") || fragment.has("token")) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }
  const filters = { team: params.get("team") || "", service: params.get("service") || "" };
  let axis = "time";
  const charts = new Map();
  let source = null;
  let retryTimer = null;

  function query(extra) {
    const q = new URLSearchParams();
    if (filters.team) q.set("team", filters.team);
    if (filters.service) q.set("service", filters.service);
    if (token) q.set("token", token);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    const s = q.toString();
    return s ? "?" + s : "";
  }

  function money(x) {
    return x === null || x === undefined ? "–" : Number(x).toFixed(2);
  }

  function qty(x) {
    return x === null || x === undefined ? "–" : String(Math.round(Number(x) * 1000) / 1000);
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function fill(id, rows, build) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell("none", "empty text");
      td.colSpan = document.querySelectorAll("#" + id + " th").length;
      tr.append(td);
      body.append(tr);
      return;
    }
    for (const row of rows) {
      const tr = document.createElement("tr");
      build(row).forEach((c) => tr.append(c));
      for (const key of ["service", "team", "provider"]) {
        if (row[key] !== undefined) tr.dataset[key] = row[key];
      }
      body.append(tr);
    }
  }

  function bar(fraction, cls) {
    const td = document.createElement("td");
    const span = document.createElement("span");
    span.className = "bar " + (cls || "");
    span.style.width = Math.max(0, Math.min(1, fraction)) * 80 + "px";
    td.append(span);
    return td;
  }

  function setOptions(select, values, current) {
    const keep = select.options[0];
    select.replaceChildren(keep);
    for (const v of values) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      select.append(o);
    }
    select.value = current;
  }

  function renderCharts(history) {
    const box = document.getElementById("charts");
    for (const [service, chart] of charts) {
      if (!(service in history)) {
        chart.plot.destroy();
        chart.node.remove();
        charts.delete(service);
      }
    }
    for (const [service, h] of Object.entries(history)) {
      const data = [h.t, h.price_low, h.price, h.price_high, h.paid];
      let chart = charts.get(service);
      if (chart && chart.axis !== axis) {
        chart.plot.destroy();
        chart.node.remove();
        chart = undefined;
      }
      if (!chart) {
        const node = document.createElement("div");
        node.className = "chart";
        node.dataset.service = service;
        const title = document.createElement("h3");
        title.textContent = service;
        node.append(title);
        box.append(node);
        const plot = new uPlot(
          {
            width: 320,
            height: 160,
            series: [
              {},
              { label: "low", stroke: "#8fb3d9" },
              { label: "price", stroke: "#2364aa", width: 2 },
              { label: "high", stroke: "#8fb3d9" },
              { label: "mean paid", stroke: "#b35c00", dash: [4, 3] },
            ],
            scales: { x: { time: axis === "time" } },
            axes: [{ label: axis === "time" ? "" : axis }, {}],
            legend: { show: false },
          },
          data,
          node
        );
        chart = { node, plot, axis };
        charts.set(service, chart);
      } else {
        chart.plot.setData(data);
      }
      // what the chart draws, for a reader of the page's markup (and its tests)
      const last = h.paid.length ? h.paid[h.paid.length - 1] : null;
      chart.node.dataset.points = String(h.t.length);
      chart.node.dataset.lastPaid = last === null ? "" : money(last);
    }
  }

  function renderBooks(books) {
    const box = document.getElementById("books");
    box.replaceChildren();
    const names = Object.keys(books);
    if (names.length === 0) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = "no continuous market";
      box.append(p);
      return;
    }
    for (const market of names) {
      const div = document.createElement("div");
      div.className = "book";
      div.dataset.market = market;
      const h = document.createElement("h3");
      h.textContent = market;
      const table = document.createElement("table");
      const head = document.createElement("tr");
      ["bid qty", "bid", "ask", "ask qty"].forEach((t) => {
        const th = document.createElement("th");
        th.textContent = t;
        head.append(th);
      });
      table.append(head);
      const { bids, asks } = books[market];
      for (let i = 0; i < Math.max(bids.length, asks.length); i++) {
        const tr = document.createElement("tr");
        const b = bids[i] || [null, null];
        const a = asks[i] || [null, null];
        tr.append(cell(qty(b[1])), cell(money(b[0])), cell(money(a[0])), cell(qty(a[1])));
        table.append(tr);
      }
      div.append(h, table);
      box.append(div);
    }
  }

  function render(snap) {
    axis = snap.axis || "time";
    const team = document.getElementById("team");
    setOptions(team, snap.teams, snap.filters.team || filters.team);
    team.disabled = Boolean(snap.scope);  // a team's token sees that team only
    setOptions(document.getElementById("service"), snap.service_names, filters.service);
    fill("services", snap.services, (s) => [
      cell(s.service, "text"),
      cell(s.route, "text"),
      cell(money(s.price)),
      cell(money(s.price_low) + " – " + money(s.price_high)),
      cell(money(s.paid)),
      cell(qty(s.volume)),
      cell(qty(s.requested)),
      cell(qty(s.negotiated)),
      cell(s.hhi === null ? "–" : Number(s.hhi).toFixed(3)),
    ]);
    renderCharts(snap.history);
    fill("budgets", snap.budgets, (b) => [
      cell(b.team, "text"),
      cell(money(b.granted)),
      cell(money(b.spent)),
      cell(money(b.pending)),
      cell(money(b.left)),
      bar(b.granted > 0 ? (b.spent + b.pending) / b.granted : 0, "spent"),
    ]);
    fill("negotiations", snap.negotiations, (n) => [
      cell(n.request_id, "text"),
      cell(n.team, "text"),
      cell(n.service, "text"),
      cell(qty(n.quantity)),
      cell(n.zopa_empty ? "none" : money(n.zopa_low) + " – " + money(n.zopa_high)),
      cell(n.rule, "text"),
    ]);
    fill("providers", snap.providers, (p) => [
      cell(p.service, "text"),
      cell(p.provider, "text"),
      cell(p.rating === null ? "–" : Number(p.rating).toFixed(1)),
      cell(qty(p.volume)),
      cell((100 * p.share).toFixed(1) + "%"),
    ]);
    renderBooks(snap.books);
    fill("unmatched", snap.unmatched, (u) => [
      cell(u.side, "text"),
      cell(u.party, "text"),
      cell(u.service, "text"),
      cell(qty(u.quantity)),
      cell(u.reason, "text"),
      cell(u.message || "", "text why"),
    ]);
    const when = snap.updated ? new Date(snap.updated * 1000).toLocaleTimeString() : "never";
    document.getElementById("updated").textContent =
      (snap.caption ? snap.caption + " · " : "") + "updated " + when;
    document.body.dataset.version = String(snap.version);
  }

  function status(text, state) {
    const el = document.getElementById("status");
    el.dataset.state = state || text;
    el.textContent = text;
  }

  async function allowed() {
    // An event stream hides the status of a refusal: ask for the snapshot first.
    try {
      const headers = token ? { Authorization: "Bearer " + token } : {};
      const q = new URLSearchParams(query().slice(1));
      q.delete("token");
      const r = await fetch("/v1/board" + (q.toString() ? "?" + q : ""), { headers });
      if (r.status === 401 || r.status === 403) {
        status(r.status === 401 ? "token needed" : "not allowed", "denied");
        return false;
      }
    } catch (e) {
      // the server is down: the event stream below retries until it is back
    }
    return true;
  }

  async function connect(check) {
    if (source) source.close();
    clearTimeout(retryTimer);
    if (check && !(await allowed())) return;
    source = new EventSource("/v1/board/events" + query());
    source.addEventListener("open", () => status("live"));
    source.addEventListener("snapshot", (e) => {
      status("live");
      render(JSON.parse(e.data));
    });
    source.addEventListener("error", () => {
      status("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        retryTimer = setTimeout(() => connect(false), 1000);
      }
    });
  }

  function refilter() {
    filters.team = document.getElementById("team").value;
    filters.service = document.getElementById("service").value;
    const q = new URLSearchParams(window.location.search);
    for (const k of ["team", "service"]) {
      if (filters[k]) q.set(k, filters[k]);
      else q.delete(k);
    }
    history.replaceState(null, "", "?" + q.toString());
    connect(true);
  }

  document.getElementById("team").addEventListener("change", refilter);
  document.getElementById("service").addEventListener("change", refilter);
  connect(true);
})();
