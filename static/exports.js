/* Exports, enhanced: while a file is being made, fetch its page again every few seconds and
   put the new state (progress, then the download link) in the status region. Without this
   file the page has a link to refresh it. */
(function () {
  "use strict";

  var parser = new DOMParser();

  function poll() {
    var region = document.getElementById("export-status");
    if (!region || !region.hasAttribute("data-refresh-seconds")) {
      return;
    }
    var seconds = Number(region.getAttribute("data-refresh-seconds")) || 3;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          var fresh = parser.parseFromString(html, "text/html").getElementById("export-status");
          if (fresh) {
            // Keep the region (a live region announces changes to its content), swap the rest.
            region.innerHTML = fresh.innerHTML;
            if (!fresh.hasAttribute("data-refresh-seconds")) {
              region.removeAttribute("data-refresh-seconds");
            }
          }
          poll();
        })
        .catch(function () {
          poll(); // a dropped request: try again at the next turn
        });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", poll);
})();
