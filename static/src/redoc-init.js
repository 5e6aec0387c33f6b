// Starts ReDoc on /api/redoc/ without an inline script (the site's CSP: script-src 'self').
// ReDoc's styled-components write <style> elements at run time: they carry the page's CSP
// nonce (this script's own, which the server also put into style-src for this response only).
(function () {
  "use strict";
  var el = document.getElementById("redoc-container");
  var nonce = (document.currentScript && document.currentScript.nonce) || "";
  if (!el || typeof Redoc === "undefined") { return; }
  Redoc.init(el.getAttribute("data-spec-url"), {
    nonce: nonce,
    // the search runs in a web worker started from a blob: URL (this page's CSP allows
    // worker-src blob:, keyprojects.api.docs.RedocView)
    // the bundle injects perfect-scrollbar's CSS when it loads, before it knows the nonce (the
    // browser refuses that <style>): native scrollbars do not need it
    nativeScrollbars: true
  }, el);
})();
