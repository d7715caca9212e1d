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
