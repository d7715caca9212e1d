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

// "Lees voor" (issue 15): a button before each text marked
// data-read-aloud that reads it aloud with the browser's own speech
// synthesis, in the page's language; nothing is sent anywhere. Only when
// the browser has a voice for that language; otherwise no button at all.
(function () {
  "use strict";
  var targets = document.querySelectorAll("[data-read-aloud]");
  var synth = window.speechSynthesis;
  if (!targets.length || !synth || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var body = document.body;
  var lang = (document.documentElement.getAttribute("lang") || "nl").toLowerCase();
  var read = body.getAttribute("data-read-aloud-label") || "Lees voor";
  var stop = body.getAttribute("data-read-aloud-stop") || "Stop";
  var done = false;
  function voice() {
    var all = synth.getVoices() || [];
    for (var i = 0; i < all.length; i++) {
      if ((all[i].lang || "").toLowerCase().replace("_", "-").indexOf(lang) === 0) {
        return all[i];
      }
    }
    return null;
  }
  function setup() {
    var v = voice();
    if (done || !v) {
      return;
    }
    done = true;
    var buttons = [];
    function reset() {
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].textContent = read;
        buttons[j].setAttribute("aria-pressed", "false");
      }
    }
    for (var i = 0; i < targets.length; i++) {
      (function (target) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "utrecht-button utrecht-button--secondary-action inzage-read-aloud";
        b.setAttribute("aria-pressed", "false");
        b.textContent = read;
        b.addEventListener("click", function () {
          var speaking = b.getAttribute("aria-pressed") === "true";
          synth.cancel();
          reset();
          if (speaking) {
            return;
          }
          var u = new window.SpeechSynthesisUtterance(target.innerText || target.textContent || "");
          try {
            u.voice = v;
          } catch (e) {
            // Only a real SpeechSynthesisVoice is accepted; the language
            // below still picks a voice.
          }
          u.lang = v.lang;
          u.onend = reset;
          b.textContent = stop;
          b.setAttribute("aria-pressed", "true");
          synth.speak(u);
        });
        buttons.push(b);
        target.parentNode.insertBefore(b, target);
      })(targets[i]);
    }
  }
  setup();
  if (!done && synth.addEventListener) {
    synth.addEventListener("voiceschanged", setup);
  }
})();

// On a phone, a tile's page opens with its content in view (issue 15): the
// tile row stays above it, compact, one swipe up.
(function () {
  "use strict";
  if (location.hash || !window.matchMedia || !window.matchMedia("(max-width: 40em)").matches) {
    return;
  }
  if (!document.querySelector(".inzage-tile--active")) {
    return;
  }
  var title = document.getElementById("panel-title");
  if (title && title.scrollIntoView) {
    title.scrollIntoView({ block: "start" });
  }
})();

// Passkeys (ADR 0029): a form with data-passkey hands its options to the
// browser's navigator.credentials and posts the browser's answer. The
// server renders every page; this only bridges to the authenticator. The
// forms stay hidden without this script, or where the browser cannot use
// passkeys, or at another address than the one passkeys belong to.
(function () {
  "use strict";
  var able = !!(window.PublicKeyCredential && navigator.credentials);
  function here(origin) {
    return !origin || origin === location.origin;
  }
  var offers = document.querySelectorAll("[data-passkey-offer]");
  for (var i = 0; i < offers.length; i++) {
    if (able && here(offers[i].getAttribute("data-passkey-origin"))) {
      offers[i].hidden = false;
    }
  }
  function fromB64(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) {
      out[i] = b.charCodeAt(i);
    }
    return out.buffer;
  }
  function toB64(buf) {
    var bytes = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    return (list || []).map(function (c) {
      var copy = {};
      for (var k in c) {
        copy[k] = c[k];
      }
      copy.id = fromB64(c.id);
      return copy;
    });
  }
  function answer(cred, create) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64(cred.rawId),
      type: cred.type,
      extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    };
    if (create) {
      out.response = {
        attestationObject: toB64(r.attestationObject),
        clientDataJSON: toB64(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : undefined
      };
    } else {
      out.response = {
        authenticatorData: toB64(r.authenticatorData),
        clientDataJSON: toB64(r.clientDataJSON),
        signature: toB64(r.signature),
        userHandle: r.userHandle ? toB64(r.userHandle) : null
      };
    }
    return JSON.stringify(out);
  }
  var forms = document.querySelectorAll("form[data-passkey]");
  for (var j = 0; j < forms.length; j++) {
    (function (form) {
      var box = form.querySelector("[data-passkey-message]");
      function say(text) {
        box.firstElementChild.textContent = text;
        box.hidden = false;
      }
      form.hidden = false;
      var button = form.querySelector("button[type=submit]");
      if (!able) {
        say(form.getAttribute("data-passkey-unsupported"));
        button.disabled = true;
        return;
      }
      if (!here(form.getAttribute("data-passkey-origin"))) {
        say(form.getAttribute("data-passkey-elsewhere"));
        button.disabled = true;
        return;
      }
      var create = form.getAttribute("data-passkey") === "create";
      form.addEventListener("submit", function (ev) {
        if (form.elements.antwoord.value) {
          return;
        }
        ev.preventDefault();
        box.hidden = true;
        var o;
        try {
          o = JSON.parse(form.getAttribute("data-passkey-options")).publicKey;
        } catch (e) {
          say(form.getAttribute("data-passkey-cancelled"));
          return;
        }
        o.challenge = fromB64(o.challenge);
        var asked;
        if (create) {
          o.user.id = fromB64(o.user.id);
          o.excludeCredentials = ids(o.excludeCredentials);
          asked = navigator.credentials.create({ publicKey: o });
        } else {
          o.allowCredentials = ids(o.allowCredentials);
          asked = navigator.credentials.get({ publicKey: o });
        }
        button.disabled = true;
        asked.then(function (cred) {
          form.elements.antwoord.value = answer(cred, create);
          form.submit();
        }, function () {
          button.disabled = false;
          say(form.getAttribute("data-passkey-cancelled"));
          button.focus();
        });
      });
    })(forms[j]);
  }
})();
