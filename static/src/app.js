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
