/*
 * Idle-timeout warning for the back office: two minutes before the server ends an idle staff session
 * (AMTSWEG_STAFF_IDLE_SECONDS), a dialog offers to stay logged in (a request to the keep-alive URL refreshes
 * the session). Nothing is stored in the browser. Without JavaScript the server still ends the session.
 */
(function () {
  "use strict";
  var box = document.getElementById("aw-idle");
  if (!box) {
    return;
  }
  var timeout = parseInt(box.getAttribute("data-timeout"), 10) || 0;
  if (timeout <= 0) {
    return;
  }
  var warnBefore = Math.min(120, Math.floor(timeout / 2));
  var remaining = box.querySelector("[data-idle-remaining]");
  var stay = box.querySelector("[data-idle-stay]");
  var deadline = 0;
  var timer = null;

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function reset() {
    deadline = Date.now() + timeout * 1000;
    box.hidden = true;
  }

  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      window.clearInterval(timer);
      window.location.href = box.getAttribute("data-logout");
      return;
    }
    if (left <= warnBefore) {
      if (box.hidden) {
        box.hidden = false;
        stay.focus();
      }
      remaining.textContent = format(left);
    }
  }

  stay.addEventListener("click", function () {
    fetch(box.getAttribute("data-keepalive"), { credentials: "same-origin" }).then(function (response) {
      if (response.ok) {
        reset();
      } else {
        window.location.href = box.getAttribute("data-logout");
      }
    });
  });
  reset();
  timer = window.setInterval(tick, 1000);
})();
