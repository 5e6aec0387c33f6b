// keyprojects front-end glue. No inline scripts anywhere (CSP); behaviour hangs on data-* attributes.
(function () {
  "use strict";
  // htmx would otherwise add a <style> element for its indicators, which the CSP refuses;
  // the same rules live in app.css. This file loads after htmx (both deferred, in order).
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }
  document.addEventListener("click", function (ev) {
    var back = ev.target.closest("[data-kp-back]");
    if (back) { ev.preventDefault(); history.back(); }
    var confirmEl = ev.target.closest("[data-kp-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-kp-confirm"))) { ev.preventDefault(); }
  });
  // Auto-submit filter forms when a select changes (the submit button stays for keyboards).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("form[data-kp-autosubmit] select")) { el.form.requestSubmit(); }
  });
})();

// 月调度 filling pages (dispatch/fill): one-shot forms, the keyboard-friendly grid that saves
// each row as you go, and keeping what was typed while a row's save is in flight.
(function () {
  "use strict";
  var GRID_ROW = "tr[data-kp-grid-row]";

  // A form marked data-kp-once is sent once: a double click or Enter held down does not post twice
  // (the server also refuses a second submit). The bulk-submit form first waits for row saves.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-kp-once]")) { return; }
    if (form.matches("[data-kp-grid-submit]") && document.querySelector("[data-kp-grid] .htmx-request")) {
      ev.preventDefault();
      var submitter = ev.submitter;
      window.setTimeout(function () { form.requestSubmit(submitter || undefined); }, 150);
      return;
    }
    if (form.getAttribute("data-kp-sending")) { ev.preventDefault(); return; }
    form.setAttribute("data-kp-sending", "1");
    // disabled after the browser has collected the clicked button's name/value
    window.setTimeout(function () {
      var buttons = document.querySelectorAll("button[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) { if (b.form === form) { b.disabled = true; } });
    }, 0);
  });
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-kp-sending]"), function (form) {
      form.removeAttribute("data-kp-sending");
      Array.prototype.forEach.call(document.querySelectorAll("button[type=submit]"), function (b) { if (b.form === form) { b.disabled = false; } });
    });
  });

  // Grid keyboard: Enter / Tab go to the next row's same column, Shift goes back.
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("[data-kp-grid] input[data-kp-col]")) { return; }
    if (ev.key !== "Enter" && ev.key !== "Tab") { return; }
    if (ev.isComposing || ev.keyCode === 229) { return; } // Enter confirms a Chinese IME candidate
    var col = el.getAttribute("data-kp-col");
    var all = el.closest("[data-kp-grid]").querySelectorAll("input[data-kp-col='" + col + "']");
    var list = Array.prototype.slice.call(all);
    var next = list[list.indexOf(el) + (ev.shiftKey ? -1 : 1)];
    if (!next && ev.key === "Tab") { return; } // leave the column normally at its ends
    ev.preventDefault();
    if (next) {
      next.focus();
      next.select();
    } else {
      el.blur(); // commits the value (a change event saves the row)
      el.focus();
    }
  });

  // Select all rows for 提交选中.
  document.addEventListener("change", function (ev) {
    var all = ev.target.closest && ev.target.closest("[data-kp-check-all]");
    if (!all) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("input[name=report][form=grid-submit]"), function (c) { c.checked = all.checked; });
  });

  function rowValues(row) {
    var out = {};
    Array.prototype.forEach.call(row.querySelectorAll("input[name]"), function (el) {
      if (el.type === "hidden") { return; }
      out[el.name] = el.type === "checkbox" ? (el.checked ? "1" : "") : el.value;
    });
    return out;
  }
  var sent = {};    // row id -> values when its save was sent
  var typed = {};   // row id -> values typed while the save was in flight

  document.addEventListener("htmx:beforeRequest", function (ev) {
    var row = ev.detail.elt.closest && ev.detail.elt.closest(GRID_ROW);
    if (row) { sent[row.id] = rowValues(row); }
  });
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var row = ev.detail.target;
    if (!row || !row.matches || !row.matches(GRID_ROW) || !sent[row.id]) { return; }
    var before = sent[row.id];
    var now = rowValues(row);
    var changed = {};
    Object.keys(now).forEach(function (k) { if (now[k] !== before[k]) { changed[k] = now[k]; } });
    delete sent[row.id];
    typed[row.id] = changed;
  });
  // The typed values go back into the new row at once (afterSwap runs in the same task as the
  // swap, before any further keystroke); the save of them waits for the settle, when the new
  // row's inputs are live. Restoring only at the settle overwrote what was typed in between.
  // A row's inputs answer htmx only once it has settled: a save asked for before that (a blur
  // right after the swap) waits for the settle.
  var settling = {}; // row id -> {changed: values put back, resave: an input left before the settle}
  document.addEventListener("htmx:afterSwap", function (ev) {
    var row = ev.detail.elt;
    if (!row || !row.matches || !row.matches(GRID_ROW) || !typed[row.id]) { return; }
    var changed = typed[row.id];
    delete typed[row.id];
    var state = settling[row.id] = { changed: {}, resave: null };
    Object.keys(changed).forEach(function (name) {
      var el = row.querySelector("input[name='" + name + "']");
      if (!el) { return; }
      if (el.type === "checkbox") { el.checked = changed[name] === "1"; return; }
      el.value = changed[name];
      if (el === document.activeElement) {
        el.setSelectionRange(el.value.length, el.value.length);
        // still being typed in: saved when the user leaves it (a value set by script fires no change)
        el.addEventListener("blur", function () {
          if (settling[row.id] === state) { state.resave = el; } else { window.htmx.trigger(el, "change"); }
        }, { once: true });
      } else {
        state.changed[name] = true;
      }
    });
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    var row = ev.detail.elt;
    if (!row || !row.matches || !row.matches(GRID_ROW) || !settling[row.id]) { return; }
    var state = settling[row.id];
    delete settling[row.id];
    var resave = state.resave;
    Object.keys(state.changed).forEach(function (name) {
      var el = row.querySelector("input[name='" + name + "']");
      if (el && !resave) { resave = el; }
    });
    if (resave) { window.htmx.trigger(resave, "change"); }
  });
  // A failed save (busy, expired session, network) leaves the typed values in place and says so.
  function rowFailed(ev) {
    var row = ev.detail.elt.closest && ev.detail.elt.closest(GRID_ROW);
    if (!row) { return; }
    delete sent[row.id];
    row.classList.add("table-danger");
    var msg = row.querySelector(".kp-grid-msg");
    if (msg) {
      // the words in the page's language (the grid carries them, translated by the server)
      var busy = ev.detail.xhr && ev.detail.xhr.status === 503;
      var grid = row.closest("[data-kp-grid]");
      var said = grid && grid.getAttribute(busy ? "data-kp-msg-busy" : "data-kp-msg-failed");
      msg.textContent = said || (busy ? "系统繁忙，请稍后重试（您的输入未丢失）" : "保存失败，请检查网络或刷新后重试（您的输入未丢失）");
      msg.classList.add("text-danger");
    }
  }
  document.addEventListener("htmx:responseError", rowFailed);
  document.addEventListener("htmx:sendError", rowFailed);
})();

// 分月计划 (projects/monthly_plan.html): the 合计 line and each month's 累计序时计划 follow what is
// typed; full-width digits and thousands separators read as the server reads them. Amounts are
// counted in yuan (万元 to 4 places, as stored), so "一致" is said only when the 12 months equal
// the annual plan exactly. On load only the 合计 line is said: the 累计 cells keep the figures
// the server counted (a closed month's as counted). Without script the page shows the saved
// figures and the server checks the sum on 保存.
(function () {
  "use strict";
  function amount(text) {
    var t = String(text || "").replace(/[\uFF01-\uFF5E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    t = t.replace(/[,，\s'\u00a0]/g, "");
    if (t === "" || !/^-?\d*\.?\d+$|^-?\d+\.$/.test(t)) { return null; }
    return Math.round(Number(t) * 10000);  // yuan
  }
  function shown(yuan) {
    var n = yuan / 10000;
    var places = yuan % 100 === 0 ? 2 : 4;
    return n.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
  }
  function recount(table, typed) {
    if (!table.querySelector("input[data-kp-plan-month]")) { return; }
    var sum = 0, ok = true;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var input = row.querySelector("input[data-kp-plan-month]");
      var fixed = row.querySelector("[data-kp-plan-fixed]");
      var v = input ? amount(input.value) : (fixed ? amount(fixed.getAttribute("data-kp-plan-fixed")) : 0);
      if (v === null) { ok = false; } else { sum += v; }
      var cell = row.querySelector("[data-kp-plan-cum]");
      if (cell && typed) { cell.textContent = ok ? shown(sum) : "—"; }
    });
    var total = table.querySelector("[data-kp-plan-total]");
    var diff = table.querySelector("[data-kp-plan-diff]");
    var annual = amount(table.getAttribute("data-kp-plan-annual"));
    if (total) { total.textContent = ok ? shown(sum) : "—"; }
    if (diff) {
      var gap = annual - sum;
      var lang = document.documentElement.lang || "zh-hans";
      var en = lang.indexOf("en") === 0;
      if (!ok || annual === null) { diff.textContent = ""; }
      else if (gap === 0) { diff.textContent = en ? "Equals the annual plan" : "与年度计划投资一致"; diff.className = "small text-success"; }
      else {
        diff.textContent = (en ? (gap > 0 ? "Short of the annual plan by " : "Above the annual plan by ") : (gap > 0 ? "比年度计划投资少 " : "比年度计划投资多 ")) + shown(Math.abs(gap)) + (en ? " 10k CNY" : " 万元");
        diff.className = "small text-danger";
      }
    }
  }
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (!t.matches || !t.matches("input[data-kp-plan-month]")) { return; }
    var table = t.closest("[data-kp-plan]");
    if (table) { recount(table, true); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kp-plan]"), function (table) { recount(table, false); });
  });
}());

// A commitment's achieved value far above its target (data-kp-slip-factor times or more) is
// said beside the field as it is typed (a figure in 元 typed as 万元?); it may still be sent.
(function () {
  "use strict";
  function check(input) {
    var box = input.parentNode && input.parentNode.parentNode;
    var warn = box && box.querySelector("[data-kp-slip-warning]");
    if (!warn) { return; }
    var target = parseFloat(input.getAttribute("data-kp-slip-target"));
    var factor = parseFloat(input.getAttribute("data-kp-slip-factor"));
    var v = parseFloat(String(input.value).replace(/[,，\s]/g, ""));
    if (!(target > 0) || isNaN(v) || v < target * factor) { warn.hidden = true; return; }
    warn.textContent = input.getAttribute("data-kp-slip-text").replace("{n}", String(Math.floor(v / target)));
    warn.hidden = false;
  }
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.matches && t.matches("input[data-kp-slip-target]")) { check(t); }
  });
}());
