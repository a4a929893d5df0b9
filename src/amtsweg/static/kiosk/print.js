/* Print buttons ([data-kiosk-print]) on receipts; loaded as a static file (CSP). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kiosk-print]").forEach(function (button) {
      if (document.querySelector('meta[name="aw-kiosk-timeout"]')) { return; } // kiosk.js handles it
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
