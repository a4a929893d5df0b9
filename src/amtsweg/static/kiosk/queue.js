/* The staff video queue: polls the JSON queue (which also marks the staff member as reachable) and reloads
 * the list when it changes. The page works without JavaScript (reload by hand). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("video-queue");
    if (!root) { return; }
    var url = root.getAttribute("data-url");
    var known = root.getAttribute("data-ids") || "";
    function poll() {
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var ids = data.queue.map(function (item) { return item.id; }).join(",");
          if (ids !== known) { window.location.reload(); }
          known = ids;
        }).catch(function () { return null; });
    }
    poll();
    window.setInterval(poll, 1500);
  });
})();
