/* Laksana's own behaviour for htmx forms, as a file: the Content-Security-Policy allows no
   inline script, and htmx runs with allowEval off, so hx-on attributes are not used.

   data-scroll-errors="#id" on an htmx form: when the server answers without sending the
   browser to another page (HX-Redirect), the errors it swapped in are scrolled into view. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.getAttribute) return;
    var selector = form.getAttribute("data-scroll-errors");
    if (!selector) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) return;
    var errors = document.querySelector(selector);
    if (errors) errors.scrollIntoView({ block: "center" });
  });
})();
