// The hub's HTML dashboard (written into the page by hublib/dashboard.py).
// Every ratio is re-aggregated as sum(numerator) / sum(denominator) over the rows the
// filters keep (RATIOS); a sum that meets a NULL is NULL, never a partial total.
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("hub-data").textContent);
  var RATIOS = payload.ratios;
  var DATA = {};
  Object.keys(payload.data).forEach(function (name) {
    var set = payload.data[name];
    DATA[name] = set.rows.map(function (row) {
      var o = {};
      set.columns.forEach(function (c, i) { o[c] = row[i]; });
      return o;
    });
  });

  var NOTES = {
    oee: "OEE = ideal good time / planned production time, from summed minutes (never an average of daily OEE). " +
      "Availability = run time / planned production; performance = ideal output time / run time; " +
      "quality = ideal good time / ideal output time.",
    downtime: "Minutes of stops inside runs, by reason. Share = the reason's minutes / all minutes of the " +
      "selection. The line filter does not apply (the view is per plant).",
    cost: "Cost per unit = allocated cost / good units; standard = the standard cost of those good units / good " +
      "units. Reporting currency. The line filter does not apply.",
    profit: "Revenue, COGS and gross margin in the reporting currency; margin % = margin / revenue from sums; " +
      "countries are the customers' countries at the invoice date. The line filter does not apply.",
    sensors: "For each unplanned stop, each metric in the three UTC hours before it, against the machine's " +
      "trailing 7-day normal (mean \u00b1 3 standard deviations)."
  };

  var state = { plant: "", line: "", month: "" };

  function sum(rows, col) {
    var total = 0;
    for (var i = 0; i < rows.length; i++) {
      var v = rows[i][col];
      if (v === null || v === undefined) { return null; }
      total += v;
    }
    return total;
  }

  function ratio(rows, name) {
    var parts = RATIOS[name];
    var num = sum(rows, parts[0]);
    var den = sum(rows, parts[1]);
    if (num === null || den === null || den === 0) { return null; }
    return num / den;
  }

  function keep(rows) {
    return rows.filter(function (r) {
      return (!state.plant || r.plant === state.plant) &&
        (!state.line || !("line" in r) || r.line === state.line) &&
        (!state.month || r.month === state.month);
    });
  }

  function groupBy(rows, keyFn) {
    var groups = {};
    var order = [];
    rows.forEach(function (r) {
      var k = keyFn(r);
      if (!(k in groups)) { groups[k] = []; order.push(k); }
      groups[k].push(r);
    });
    return order.sort().map(function (k) { return [k, groups[k]]; });
  }

  function uniq(values) {
    return Array.from(new Set(values)).sort();
  }

  var pct = { tickformat: ".0%", hoverformat: ".2%" };
  function layout(title, extra) {
    var base = {
      title: { text: title, font: { size: 14 }, x: 0.01, xanchor: "left" },
      margin: { l: 60, r: 20, t: 40, b: 60 },
      legend: { orientation: "h", y: -0.2 },
      hovermode: "closest",
      paper_bgcolor: "#fff",
      plot_bgcolor: "#fff"
    };
    return Object.assign(base, extra || {});
  }

  function currencyOf(rows) {
    var c = uniq(rows.map(function (r) { return r.currency; }));
    return c.length ? c.join("/") : "";
  }

  var CHARTS = {
    oee_trend: function () {
      var rows = keep(DATA.oee);
      var traces = groupBy(rows, function (r) { return r.plant + " " + r.line; }).map(function (g) {
        var months = groupBy(g[1], function (r) { return r.month; });
        return {
          type: "scatter", mode: "lines+markers", name: g[0],
          x: months.map(function (m) { return m[0]; }),
          y: months.map(function (m) { return ratio(m[1], "oee"); }),
          hovertemplate: "%{fullData.name}<br>%{x}: OEE %{y:.2%}<extra></extra>"
        };
      });
      return [traces, layout("OEE by month, per plant and line", { yaxis: pct, xaxis: { type: "category" } })];
    },
    oee_apq: function () {
      var rows = keep(DATA.oee);
      var groups = groupBy(rows, function (r) { return r.plant + " " + r.line; });
      var names = groups.map(function (g) { return g[0]; });
      var traces = ["availability", "performance", "quality", "oee"].map(function (k) {
        return {
          type: "bar", name: k === "oee" ? "OEE" : k.charAt(0).toUpperCase() + k.slice(1),
          x: names, y: groups.map(function (g) { return ratio(g[1], k); }),
          hovertemplate: "%{x}<br>%{fullData.name} %{y:.2%}<extra></extra>"
        };
      });
      return [traces, layout("Availability \u00d7 performance \u00d7 quality = OEE, per line", { yaxis: pct, barmode: "group" })];
    },
    oee_worst: function () {
      var rows = keep(DATA.oee);
      var machines = groupBy(rows, function (r) { return r.machine; }).map(function (g) {
        return { machine: g[0], where: g[1][0].plant + "/" + g[1][0].line, oee: ratio(g[1], "oee"),
          minutes: sum(g[1], "planned_production_min") };
      }).filter(function (m) { return m.oee !== null; });
      machines.sort(function (a, b) { return a.oee - b.oee || (a.machine < b.machine ? -1 : 1); });
      var worst = machines.slice(0, 10).reverse();
      return [[{
        type: "bar", orientation: "h", name: "OEE",
        y: worst.map(function (m) { return m.machine; }), x: worst.map(function (m) { return m.oee; }),
        customdata: worst.map(function (m) { return [m.where, m.minutes]; }),
        hovertemplate: "%{y} (%{customdata[0]})<br>OEE %{x:.2%} over %{customdata[1]:,.0f} planned min<extra></extra>",
        marker: { color: "#c8553d" }
      }], layout("The ten worst machines by OEE", { xaxis: pct, margin: { l: 90, r: 20, t: 40, b: 40 } })];
    },
    downtime_pareto: function () {
      var rows = keep(DATA.downtime);
      var total = sum(rows, "downtime_min");
      var reasons = groupBy(rows, function (r) { return r.reason; }).map(function (g) {
        return { reason: g[0], minutes: sum(g[1], "downtime_min"), events: sum(g[1], "events") };
      });
      reasons.sort(function (a, b) { return b.minutes - a.minutes || (a.reason < b.reason ? -1 : 1); });
      var running = 0;
      var cumulative = reasons.map(function (r) { running += r.minutes; return total ? running / total : null; });
      return [[
        { type: "bar", name: "Minutes", x: reasons.map(function (r) { return r.reason; }),
          y: reasons.map(function (r) { return r.minutes; }),
          customdata: reasons.map(function (r) { return [r.events, total ? r.minutes / total : null]; }),
          hovertemplate: "%{x}<br>%{y:,.0f} min, %{customdata[0]} events, %{customdata[1]:.1%} of the minutes<extra></extra>",
          marker: { color: "#486581" } },
        { type: "scatter", mode: "lines+markers", name: "Cumulative share", yaxis: "y2",
          x: reasons.map(function (r) { return r.reason; }), y: cumulative,
          hovertemplate: "%{x}<br>cumulative %{y:.1%}<extra></extra>", marker: { color: "#c8553d" } }
      ], layout("Pareto of downtime reasons", {
        yaxis: { title: { text: "minutes" } }, margin: { l: 60, r: 40, t: 40, b: 90 },
        yaxis2: { overlaying: "y", side: "right", range: [0, 1.05], tickformat: ".0%" }
      })];
    },
    downtime_planned: function () {
      var rows = keep(DATA.downtime);
      var months = uniq(rows.map(function (r) { return r.month; }));
      var traces = [true, false].map(function (planned) {
        return {
          type: "bar", name: planned ? "Planned" : "Unplanned", x: months,
          y: months.map(function (m) {
            return sum(rows.filter(function (r) { return r.month === m && r.planned === planned; }), "downtime_min");
          }),
          customdata: months.map(function (m) {
            var all = rows.filter(function (r) { return r.month === m; });
            var part = all.filter(function (r) { return r.planned === planned; });
            var a = sum(all, "downtime_min");
            return a ? sum(part, "downtime_min") / a : null;
          }),
          hovertemplate: "%{x} %{fullData.name}<br>%{y:,.0f} min, %{customdata:.1%} of the month<extra></extra>",
          marker: { color: planned ? "#9fb3c8" : "#c8553d" }
        };
      });
      return [traces, layout("Planned against unplanned downtime, minutes", { barmode: "stack", xaxis: { type: "category" } })];
    },
    cost_vs_standard: function () {
      var rows = keep(DATA.cost);
      var groups = groupBy(rows, function (r) { return r.plant + " " + r.product; });
      var names = groups.map(function (g) { return g[0]; });
      var currency = currencyOf(rows);
      return [[
        { type: "bar", name: "Actual cost per unit", x: names,
          y: groups.map(function (g) { return ratio(g[1], "cost_per_unit"); }),
          hovertemplate: "%{x}<br>actual %{y:,.4f} " + currency + "<extra></extra>", marker: { color: "#486581" } },
        { type: "bar", name: "Standard cost per unit", x: names,
          y: groups.map(function (g) { return ratio(g[1], "standard_cost_per_unit"); }),
          hovertemplate: "%{x}<br>standard %{y:,.4f} " + currency + "<extra></extra>", marker: { color: "#9fb3c8" } }
      ], layout("Cost per unit against standard (" + currency + ")", { barmode: "group" })];
    },
    cost_trend: function () {
      var rows = keep(DATA.cost);
      var currency = currencyOf(rows);
      var traces = groupBy(rows, function (r) { return r.plant + " " + r.product; }).map(function (g) {
        var months = groupBy(g[1], function (r) { return r.month; });
        return {
          type: "scatter", mode: "lines+markers", name: g[0],
          x: months.map(function (m) { return m[0]; }),
          y: months.map(function (m) { return ratio(m[1], "cost_per_unit"); }),
          hovertemplate: "%{fullData.name}<br>%{x}: %{y:,.4f} " + currency + "<extra></extra>"
        };
      });
      return [traces, layout("Cost per unit, month over month (" + currency + ")", { xaxis: { type: "category" } })];
    },
    profit_trend: function () {
      var rows = keep(DATA.profit);
      var currency = currencyOf(rows);
      var months = groupBy(rows, function (r) { return r.month; });
      var x = months.map(function (m) { return m[0]; });
      function bar(col, name, color) {
        return { type: "bar", name: name, x: x, y: months.map(function (m) { return sum(m[1], col); }),
          hovertemplate: "%{x}<br>" + name + " %{y:,.2f} " + currency + "<extra></extra>", marker: { color: color } };
      }
      return [[
        bar("revenue", "Revenue", "#486581"), bar("cogs", "COGS", "#9fb3c8"), bar("gross_margin", "Gross margin", "#3ebd93"),
        { type: "scatter", mode: "lines+markers", name: "Margin %", yaxis: "y2", x: x,
          y: months.map(function (m) { return ratio(m[1], "gross_margin_pct"); }),
          hovertemplate: "%{x}<br>margin %{y:.2%}<extra></extra>", marker: { color: "#c8553d" } }
      ], layout("Revenue, COGS and margin by month (" + currency + ")", {
        barmode: "group", xaxis: { type: "category" },
        yaxis2: { overlaying: "y", side: "right", tickformat: ".1%" }
      })];
    },
    profit_by_product: function () {
      var rows = keep(DATA.profit);
      var currency = currencyOf(rows);
      var groups = groupBy(rows, function (r) { return r.plant + " " + r.product; });
      var names = groups.map(function (g) { return g[0]; });
      return [[
        { type: "bar", name: "Revenue", x: names, y: groups.map(function (g) { return sum(g[1], "revenue"); }),
          hovertemplate: "%{x}<br>revenue %{y:,.2f} " + currency + "<extra></extra>", marker: { color: "#486581" } },
        { type: "bar", name: "Gross margin", x: names, y: groups.map(function (g) { return sum(g[1], "gross_margin"); }),
          customdata: groups.map(function (g) { return ratio(g[1], "gross_margin_pct"); }),
          hovertemplate: "%{x}<br>margin %{y:,.2f} " + currency + " (%{customdata:.1%})<extra></extra>",
          marker: { color: "#3ebd93" } }
      ], layout("Revenue and margin by plant and product (" + currency + ")", { barmode: "group" })];
    },
    profit_by_country: function () {
      var rows = keep(DATA.country);
      var currency = currencyOf(rows);
      var groups = groupBy(rows, function (r) { return r.country; });
      var names = groups.map(function (g) { return g[0]; });
      return [[
        { type: "bar", name: "Revenue", x: names, y: groups.map(function (g) { return sum(g[1], "revenue"); }),
          hovertemplate: "%{x}<br>revenue %{y:,.2f} " + currency + "<extra></extra>", marker: { color: "#486581" } },
        { type: "bar", name: "Gross margin", x: names, y: groups.map(function (g) { return sum(g[1], "gross_margin"); }),
          customdata: groups.map(function (g) { return ratio(g[1], "gross_margin_pct"); }),
          hovertemplate: "%{x}<br>margin %{y:,.2f} " + currency + " (%{customdata:.1%})<extra></extra>",
          marker: { color: "#3ebd93" } }
      ], layout("Revenue and margin by customer country (" + currency + ")", { barmode: "group" })];
    },
    sensors_outside: function () {
      var rows = keep(DATA.sensors);
      return [sensorTraces(rows, "share_outside_normal", ".1%"),
        layout("Share of the hours before a stop outside the normal band", { barmode: "group", yaxis: pct })];
    },
    sensors_z: function () {
      var rows = keep(DATA.sensors);
      return [sensorTraces(rows, "mean_z_score", ".2f"),
        layout("Mean z-score of each metric in the hours before a stop", { barmode: "group" })];
    }
  };

  function sensorTraces(rows, name, format) {
    var metrics = uniq(rows.map(function (r) { return r.metric; }));
    return [3, 2, 1].map(function (h) {
      var hourRows = rows.filter(function (r) { return r.hours_before === h; });
      return {
        type: "bar", name: h + " h before", x: metrics,
        y: metrics.map(function (m) { return ratio(hourRows.filter(function (r) { return r.metric === m; }), name); }),
        customdata: metrics.map(function (m) { return sum(hourRows.filter(function (r) { return r.metric === m; }), "stop_hours"); }),
        hovertemplate: "%{x}, %{fullData.name}<br>%{y:" + format + "} over %{customdata:,} stop-hours<extra></extra>"
      };
    });
  }

  function fillSelect(id, values, label) {
    var select = document.getElementById(id);
    var current = select.value;
    select.innerHTML = "";
    [["", "All " + label]].concat(values.map(function (v) { return [v, v]; })).forEach(function (pair) {
      var opt = document.createElement("option");
      opt.value = pair[0];
      opt.textContent = pair[1];
      select.appendChild(opt);
    });
    select.value = values.indexOf(current) >= 0 ? current : "";
  }

  function lines() {
    var rows = DATA.oee.concat(DATA.sensors).filter(function (r) { return !state.plant || r.plant === state.plant; });
    return uniq(rows.map(function (r) { return r.line; }));
  }

  function draw() {
    Object.keys(CHARTS).forEach(function (id) {
      var spec = CHARTS[id]();
      var traces = spec[0];
      var lay = spec[1];
      var empty = traces.every(function (t) {
        return (t.y || []).concat(t.x || []).every(function (v) { return v === null || v === undefined; }) || !(t.x || []).length;
      });
      lay.annotations = empty ? [{ text: "no data for this selection", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] : [];
      Plotly.react(id, traces, lay, { displaylogo: false, responsive: true });
    });
  }

  function build() {
    var subtitle = "Reporting views of database " + payload.database + ", written " + payload.generated +
      ". Hover a mark for its values; the filters apply to every chart that has the column.";
    document.getElementById("subtitle").textContent = subtitle;
    var nav = document.getElementById("nav");
    var main = document.getElementById("pages");
    payload.pages.forEach(function (page) {
      var a = document.createElement("a");
      a.href = "#page-" + page[0];
      a.textContent = page[1];
      nav.appendChild(a);
      var section = document.createElement("section");
      section.id = "page-" + page[0];
      var h2 = document.createElement("h2");
      h2.textContent = page[1];
      var note = document.createElement("p");
      note.className = "note";
      note.textContent = NOTES[page[0]];
      var grid = document.createElement("div");
      grid.className = "grid";
      page[2].forEach(function (id) {
        var div = document.createElement("div");
        div.className = "chart";
        div.id = id;
        grid.appendChild(div);
      });
      section.appendChild(h2);
      section.appendChild(note);
      section.appendChild(grid);
      main.appendChild(section);
    });
    var all = [].concat(DATA.oee, DATA.downtime, DATA.cost, DATA.profit, DATA.country, DATA.sensors);
    fillSelect("f-plant", uniq(all.map(function (r) { return r.plant; }).filter(Boolean)), "plants");
    fillSelect("f-line", lines().filter(Boolean), "lines");
    fillSelect("f-month", uniq(all.map(function (r) { return r.month; }).filter(Boolean)), "months");
    ["plant", "line", "month"].forEach(function (k) {
      document.getElementById("f-" + k).addEventListener("change", function (e) {
        state[k] = e.target.value;
        if (k === "plant") {
          fillSelect("f-line", lines().filter(Boolean), "lines");
          state.line = document.getElementById("f-line").value;
        }
        draw();
      });
    });
    draw();
  }

  // For tests and the curious: the formulas and the current filter state.
  window.hubDashboard = { ratio: ratio, state: state, data: DATA, charts: Object.keys(CHARTS) };
  build();
})();
