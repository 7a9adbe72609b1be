/* A participant's phone follows the item the facilitator has on the screen. Without this
   file the page has a link to reload it. What the participant is writing is never thrown
   away: with text in the box, the page only says where the facilitator has gone. */
(function () {
  "use strict";
  var box = document.getElementById("now-on");
  if (!box || !window.fetch) {
    return;
  }
  var current = box.getAttribute("data-item");
  var notice;

  function writing() {
    var text = document.querySelector("form textarea");
    return text && text.value.trim() !== "";
  }

  function tell(title) {
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "flash flash--info";
      notice.setAttribute("role", "status");
      box.appendChild(notice);
    }
    notice.textContent = box.getAttribute("data-moved") + " " + title + " ";
    var link = document.createElement("a");
    link.href = box.getAttribute("data-here");
    link.textContent = box.getAttribute("data-show");
    notice.appendChild(link);
  }

  function check() {
    fetch(box.getAttribute("data-follow"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (now) {
        if (!now || !now.open) {
          return;
        }
        var item = now.item === null ? "" : String(now.item);
        if (item === current) {
          return;
        }
        if (writing()) {
          tell(now.title);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {});
  }

  setInterval(check, 5000);
})();
