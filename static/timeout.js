/* A warning before a staff sign-in runs out (WCAG 2.2.1), with a button that extends it.
   Without this file nothing is lost either: a form sent after the sign-in ended is kept and
   offered again after signing in (consult/accounts/timeout.py). */
(function () {
  "use strict";
  var idleMeta = document.querySelector('meta[name="session-idle-seconds"]');
  var urlMeta = document.querySelector('meta[name="session-keep-alive"]');
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!idleMeta || !urlMeta || !tokenMeta) {
    return;
  }
  var lang = document.documentElement.lang === "en" ? "en" : "da";
  var words = {
    da: {
      soon: "Du bliver logget ud om 5 minutter, fordi der ikke er sket noget. Det, du har skrevet, er ikke gemt endnu.",
      stay: "Forbliv logget ind",
      kept: "Du er stadig logget ind.",
      gone: "Du er blevet logget ud. Det, du sender nu, gemmes, til du har logget ind igen."
    },
    en: {
      soon: "You will be signed out in 5 minutes because nothing has happened. What you have written is not saved yet.",
      stay: "Stay signed in",
      kept: "You are still signed in.",
      gone: "You have been signed out. What you send now is kept until you have signed in again."
    }
  }[lang];
  var idle = parseInt(idleMeta.content, 10) * 1000;
  var warnBefore = Math.min(5 * 60 * 1000, idle / 2);
  var warnTimer, endTimer, box;

  function banner() {
    if (!box) {
      box = document.createElement("div");
      box.className = "timeout-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-live", "assertive");
      box.setAttribute("aria-labelledby", "timeout-text");
      var text = document.createElement("p");
      text.id = "timeout-text";
      box.appendChild(text);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = words.stay;
      button.addEventListener("click", extend);
      box.appendChild(button);
      document.body.insertBefore(box, document.body.firstChild);
    }
    return box;
  }

  function show(message, withButton) {
    var b = banner();
    b.querySelector("p").textContent = message;
    b.querySelector("button").hidden = !withButton;
    b.hidden = false;
    if (withButton) {
      b.querySelector("button").focus();
    }
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () { show(words.soon, true); }, idle - warnBefore);
    endTimer = setTimeout(function () { show(words.gone, false); }, idle);
  }

  function extend() {
    var body = new FormData();
    body.append("csrf_token", tokenMeta.content);
    fetch(urlMeta.content, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok && !response.redirected) {
          show(words.kept, false);
          setTimeout(function () { if (box) { box.hidden = true; } }, 4000);
          schedule();
        } else {
          show(words.gone, false);
        }
      })
      .catch(function () { show(words.gone, false); });
  }

  schedule();
})();
