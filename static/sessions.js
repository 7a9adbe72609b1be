/* Sessions, enhanced: record input without reloading the page, and keep the participants'
   queue and the projector up to date. Everything works without this file: forms post and
   redirect, the projector refreshes itself with <meta http-equiv="refresh">. */
(function () {
  "use strict";

  var parser = new DOMParser();

  function regions(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-live-region][id]"));
  }

  function announce(doc) {
    var target = document.getElementById("flashes");
    var fresh = doc.getElementById("flashes");
    if (target && fresh) {
      target.innerHTML = fresh.innerHTML;
    }
  }

  function swap(doc, only) {
    regions(document).forEach(function (region) {
      if (only && region.id !== only) {
        return;
      }
      var fresh = doc.getElementById(region.id);
      if (fresh) {
        region.replaceWith(fresh);
      }
    });
    bind();
  }

  function focusCapture() {
    var field = document.querySelector(".capture__form textarea");
    if (field) {
      field.focus();
    }
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var buttons = form.querySelectorAll("button, input[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = parser.parseFromString(html, "text/html");
        if (!regions(doc).length) {
          // Not a live page (signed out, an error page): show it as a browser would.
          window.location.assign(response.url);
          return;
        }
        if (response.url && response.url !== window.location.href) {
          window.history.replaceState(null, "", response.url);
        }
        swap(doc);
        announce(doc);
        focusCapture();
      });
    }).catch(function () {
      // The network failed: fall back to a plain post, which keeps what was typed.
      form.removeAttribute("data-live");
      form.submit();
    });
  }

  function bind() {
    document.querySelectorAll("form[data-live]").forEach(function (form) {
      if (form.dataset.bound) {
        return;
      }
      form.dataset.bound = "1";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send(form, event.submitter);
      });
    });
    document.querySelectorAll(".capture__form textarea").forEach(function (area) {
      if (area.dataset.bound) {
        return;
      }
      area.dataset.bound = "1";
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          area.form.requestSubmit();
        }
      });
    });
  }

  function poll(region) {
    var every = parseInt(region.getAttribute("data-poll"), 10) || 5000;
    window.setInterval(function () {
      var current = document.getElementById(region.id);
      if (!current || current.contains(document.activeElement)) {
        return; // never pull a form from under someone using it
      }
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html) {
            swap(parser.parseFromString(html, "text/html"), region.id);
          }
        })
        .catch(function () { /* try again next time */ });
    }, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind();
    document.querySelectorAll("[data-poll][id]").forEach(poll);
  });
})();
