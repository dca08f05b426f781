// The console's only script: progressive enhancement. Every page works without it.
// - "Copy" buttons (hidden until this runs) copy the consent link.
// - A live run's progress block refreshes itself every few seconds from an HTML fragment
//   (without a script the page offers a "Refresh" link instead).
// - Buttons that cancel or revoke ask for a confirmation.
(function () {
  "use strict";

  function enableCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
        } else {
          input.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* selected: the user copies by hand */ }
        }
      });
    });
  }

  var pollMilliseconds = 3000;

  function pollRunProgress() {
    var block = document.getElementById("run-progress");
    if (!block || block.getAttribute("data-live") !== "true") return;
    var source = block.getAttribute("data-src");
    setTimeout(function () {
      fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("progress " + response.status);
          return response.text();
        })
        .then(function (html) {
          var current = document.getElementById("run-progress");
          if (!current) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#run-progress");
          if (fresh) current.replaceWith(fresh);
          pollRunProgress();
        })
        .catch(function () {
          // Stop quietly; the Refresh link still works.
        });
    }, pollMilliseconds);
  }

  function confirmDangerousForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var action = form.getAttribute("action") || "";
      var revoke = form.querySelector("input[name=action][value=revoke]");
      var message = null;
      if (/\/cancel$/.test(action)) message = "Cancel this run? Tasks not yet started will not run.";
      else if (revoke && revoke.checked) message = "Start a REVOKE run? It removes the consent from every customer in scope.";
      if (message && !window.confirm(message)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons();
    pollRunProgress();
    confirmDangerousForms();
  });
})();
