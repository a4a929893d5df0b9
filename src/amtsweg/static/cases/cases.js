/* Case engine: a second click on "absenden" is ignored (the server's idempotency key makes it harmless anyway). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[data-once]");
    if (!button) { return; }
    if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    button.setAttribute("aria-disabled", "true");
  });
})();
