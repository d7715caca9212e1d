// Inzage's only script: a progressive enhancement. Every page works
// without it. It adds a "show password" button after each password field
// (WCAG: a real <button>, keyboard-operable, its state in aria-pressed,
// its label in the page's language from data attributes on <body>).
(function () {
  "use strict";
  var body = document.body;
  var show = body.getAttribute("data-show-password") || "Show password";
  var hide = body.getAttribute("data-hide-password") || "Hide password";
  var fields = document.querySelectorAll('input[type="password"]');
  for (var i = 0; i < fields.length; i++) {
    (function (input) {
      if (!input.id) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "utrecht-button utrecht-button--subtle inzage-show-password";
      button.setAttribute("aria-controls", input.id);
      button.setAttribute("aria-pressed", "false");
      button.textContent = show;
      button.addEventListener("click", function () {
        var shown = input.type === "text";
        input.type = shown ? "password" : "text";
        button.setAttribute("aria-pressed", shown ? "false" : "true");
        button.textContent = shown ? show : hide;
        input.focus();
      });
      input.insertAdjacentElement("afterend", button);
      // A shown password is hidden again before the form leaves the page,
      // so the browser does not offer to remember it as plain text.
      if (input.form) {
        input.form.addEventListener("submit", function () {
          input.type = "password";
        });
      }
    })(fields[i]);
  }
})();

// No text lost to the idle timeout (issue 14): on a page with a writing
// form, a warning shortly before the session would end (the server ends it
// after the organisation's idle minutes since the last request), with a
// button that keeps the session alive. Without this script the page says
// the rule in words, and a form posted after the timeout is kept anyway.
(function () {
  "use strict";
  var body = document.body;
  if (!document.querySelector("form[data-keep-text], form[data-idle-warn]")) {
    return;
  }
  var after = parseInt(body.getAttribute("data-idle-warn-after"), 10);
  if (!(after > 0)) {
    return;
  }
  var text = body.getAttribute("data-idle-warning") || "";
  var stay = body.getAttribute("data-idle-stay") || "OK";
  var timer = null;
  var box = null;
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(warn, after * 60000);
  }
  function warn() {
    if (box) {
      return;
    }
    box = document.createElement("div");
    box.className = "utrecht-alert utrecht-alert--warning inzage-idle-warning";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.className = "utrecht-paragraph";
    p.textContent = text;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "utrecht-button utrecht-button--secondary-action";
    b.textContent = stay;
    b.addEventListener("click", function () {
      // Any signed-in request counts as activity; the help page reads no dossier.
      fetch("/hulp", { credentials: "same-origin" }).then(function () {
        box.parentNode.removeChild(box);
        box = null;
        arm();
      });
    });
    box.appendChild(p);
    box.appendChild(b);
    var main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
    b.focus();
  }
  arm();
})();
