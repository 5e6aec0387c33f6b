// Home dashboard charts (Apache ECharts, static/vendor/echarts.min.js). No inline script (CSP):
// each chart's figures come from a <script type="application/json"> block written by Django's
// json_script filter, named by the chart's data-kp-chart-data attribute. Every chart keeps a
// table view with the same figures (shown when JavaScript or ECharts is missing) behind a
// toggle, and a click on a bar, point or slice opens the same link as the table row.
(function () {
  "use strict";
  var BANDS = { ahead: "#198754", slight: "#e0b000", behind: "#fd7e14", far: "#dc3545", none: "#adb5bd" };
  var COLOURS = ["#0b4f9c", "#5b9bd5", "#198754", "#6c757d", "#20c997", "#fd7e14", "#6f42c1", "#e0b000"];
  var charts = [];

  function readData(el) {
    var src = document.getElementById(el.getAttribute("data-kp-chart-data"));
    if (!src) { return null; }
    try { return JSON.parse(src.textContent); } catch (e) { return null; }
  }

  // Tooltips as rich text drawn in the canvas: the HTML tooltips carry style attributes,
  // which the Content-Security-Policy refuses.
  function tooltip(trigger) { return { trigger: trigger, renderMode: "richText", confine: true }; }

  function timeLine(d) {
    if (d.time === null || d.time === undefined) { return undefined; }
    return {
      silent: true, symbol: "none", lineStyle: { color: "#dc3545", type: "dashed" },
      label: { formatter: d.names.time + " " + d.time + "%", position: "insideEndTop" },
      data: [{ yAxis: d.time }]
    };
  }

  // A percent axis tall enough for the 序时进度 line as well as the rates.
  function percentAxis(d, extra) {
    var axis = { type: "value", name: "%", min: 0, max: function (v) { return Math.ceil(Math.max(v.max, d.time || 0) / 10 + 0.01) * 10; } };
    Object.keys(extra || {}).forEach(function (k) { axis[k] = extra[k]; });
    return axis;
  }

  // Category labels that stay readable down to a 390 px phone: every label shown, turned
  // further when each gets little room, a smaller font and a shorter cut on narrow charts.
  function categoryAxis(labels, width) {
    var narrow = width < 480;
    var slot = width / Math.max(labels.length, 1);
    var rotate = labels.length > 6 || slot < 60 ? (narrow ? 60 : 35) : 0;
    return {
      type: "category", data: labels,
      axisLabel: { interval: 0, rotate: rotate, fontSize: narrow ? 11 : 12, width: narrow ? 64 : 90, overflow: "truncate" }
    };
  }

  function legend(width, extra) {
    var l = { type: width < 480 ? "scroll" : "plain", itemWidth: width < 480 ? 14 : 25, textStyle: { fontSize: width < 480 ? 11 : 12 } };
    Object.keys(extra || {}).forEach(function (k) { l[k] = extra[k]; });
    return l;
  }

  function barsOption(d, width) {
    return {
      color: COLOURS, tooltip: tooltip("axis"), legend: legend(width, { top: 0 }),
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: categoryAxis(d.labels, width),
      yAxis: [{ type: "value", name: d.names.unit }, percentAxis(d, { splitLine: { show: false } })],
      series: [
        { name: d.names.plan, type: "bar", data: d.plan, cursor: "pointer" },
        { name: d.names.ytd, type: "bar", data: d.ytd, cursor: "pointer" },
        { name: d.names.rate, type: "line", yAxisIndex: 1, data: d.rate, markLine: timeLine(d), cursor: "pointer" }
      ]
    };
  }

  function ratesOption(d, width) {
    return {
      tooltip: tooltip("axis"),
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: categoryAxis(d.labels, width),
      yAxis: percentAxis(d),
      series: [{
        name: d.names.rate, type: "bar", cursor: "pointer", markLine: timeLine(d),
        data: d.rate.map(function (v, i) { return { value: v, itemStyle: { color: BANDS[d.bands[i]] || BANDS.none } }; })
      }]
    };
  }

  function pieOption(d, width) {
    var narrow = width < 480;
    return {
      color: COLOURS, tooltip: tooltip("item"), legend: legend(width, { type: "scroll", bottom: 0 }),
      series: [{
        name: d.names.value, type: "pie", radius: narrow ? ["30%", "55%"] : ["35%", "65%"], center: ["50%", "45%"], cursor: "pointer",
        // on a phone the slices are named by the legend: outside labels would not fit
        label: { show: !narrow, formatter: "{b}: {c}" },
        data: d.labels.map(function (label, i) { return { name: label, value: d.values[i] }; })
      }]
    };
  }

  function curveOption(d, width) {
    return {
      color: ["#9ec5fe", "#0b4f9c", "#198754", "#dc3545"], tooltip: tooltip("axis"), legend: legend(width, { top: 0 }),
      grid: { left: 8, right: 8, top: width < 480 ? 48 : 36, bottom: 8, containLabel: true },
      xAxis: categoryAxis(d.labels, width),
      yAxis: { type: "value", name: d.names.unit },
      series: [
        { name: d.names.month, type: "bar", data: d.month, cursor: "pointer" },
        { name: d.names.ytd, type: "line", data: d.ytd, cursor: "pointer", lineStyle: { width: 3 } },
        { name: d.names.planned, type: "line", data: d.planned, cursor: "pointer", lineStyle: { type: "dashed" } },
        { name: d.names.time, type: "line", data: d.time, cursor: "pointer", lineStyle: { type: "dotted" } }
      ]
    };
  }

  var OPTIONS = { bars: barsOption, rates: ratesOption, pie: pieOption, curve: curveOption };

  function partsOf(root, name) {
    return {
      chart: root.querySelector("[data-kp-chart='" + name + "']"),
      table: root.querySelector("[data-kp-chart-table='" + name + "']"),
      toggle: root.querySelector("[data-kp-chart-toggle='" + name + "']")
    };
  }

  function init(root) {
    if (!window.echarts) { return; } // the tables stay visible
    charts = charts.filter(function (c) { return document.body.contains(c.getDom()); });
    Array.prototype.forEach.call(root.querySelectorAll("[data-kp-chart]"), function (el) {
      if (window.echarts.getInstanceByDom(el)) { return; }
      var d = readData(el);
      var build = d && OPTIONS[d.type];
      if (!build || !d.labels || !d.labels.length) { return; }
      var name = el.getAttribute("data-kp-chart");
      var parts = partsOf(document, name);
      el.hidden = false;
      if (parts.table) { parts.table.hidden = true; }
      if (parts.toggle) { parts.toggle.hidden = false; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(d, el.clientWidth || 600));
      chart.on("click", function (p) {
        var url = d.links && d.links[p.dataIndex];
        if (url) { window.location.assign(url); }
      });
      charts.push(chart);
    });
  }

  // 表格 / 图表: show the table view instead of the chart, and back.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-kp-chart-toggle]");
    if (!btn) { return; }
    var parts = partsOf(document, btn.getAttribute("data-kp-chart-toggle"));
    if (!parts.chart || !parts.table) { return; }
    var showTable = parts.table.hidden;
    parts.table.hidden = !showTable;
    parts.chart.hidden = showTable;
    btn.setAttribute("aria-pressed", showTable ? "true" : "false");
    btn.textContent = btn.getAttribute(showTable ? "data-label-chart" : "data-label-table");
    if (!showTable && window.echarts) {
      var chart = window.echarts.getInstanceByDom(parts.chart);
      if (chart) { chart.resize(); }
    }
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) {
      if (c.isDisposed()) { return; }
      var d = readData(c.getDom());
      var build = d && OPTIONS[d.type];
      if (build) { c.setOption(build(d, c.getDom().clientWidth || 600)); }
      c.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // the period selector swaps the dashboard body (htmx): draw the new charts
  document.addEventListener("htmx:afterSettle", function (ev) { init(ev.target || document); });
})();
