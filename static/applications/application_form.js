/* The application form: never lose typed text.
 * - Every change is copied to this browser's localStorage at once.
 * - Every 20 seconds after a change the form is saved to the server in the background.
 * - If the browser holds text newer than the server's copy (a save failed, the session
 *   expired), the page offers to put it back.
 * - "其他" text boxes are shown as needed but never cleared.
 */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) return;
  var key = form.dataset.storageKey;
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var saving = false;

  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "file") return;
      if (el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) data[el.name].push(el.value);
      } else if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
      } else if (el.tagName === "SELECT" && el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "hidden" || el.type === "file") return;
      var value = data[el.name];
      if (el.type === "checkbox") {
        el.checked = Array.isArray(value) ? value.indexOf(el.value) !== -1 : !!value;
      } else if (el.type === "radio") {
        el.checked = el.value === value;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        el.value = value;
      }
    });
  }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ at: Math.floor(Date.now() / 1000), data: collect() }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function say(text) { if (status) status.textContent = text; }

  function save() {
    if (!dirty || saving) return;
    saving = true;
    dirty = false;
    var body = new FormData(form);
    fetch(form.dataset.autosaveUrl, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }, redirect: "manual" })
      .then(function (response) {
        return response.json().then(function (json) { return { status: response.status, json: json }; },
          function () { return { status: response.status, json: {} }; });
      })
      .then(function (result) {
        if (result.status === 200 && result.json.ok) {
          form.querySelector("input[name=revision]").value = result.json.revision;
          form.dataset.serverUpdated = String(Math.floor(Date.now() / 1000));
          say(form.dataset.savedText + " " + result.json.saved_at);
        } else if (result.status === 409) {
          say(form.dataset.staleText);
        } else {
          dirty = true;
          say(form.dataset.failedText);
        }
      })
      .catch(function () { dirty = true; say(form.dataset.failedText); })
      .finally(function () { saving = false; });
  }

  form.addEventListener("input", function () { dirty = true; store(); });
  form.addEventListener("change", function () { dirty = true; store(); });
  window.setInterval(save, 20000);
  window.addEventListener("pagehide", store);

  // Offer to restore text this browser holds that is newer than the server's copy.
  try {
    var saved = JSON.parse(localStorage.getItem(key) || "null");
    var serverUpdated = parseInt(form.dataset.serverUpdated || "0", 10);
    var banner = document.getElementById("restore-banner");
    var isBound = !!document.getElementById("error-summary");
    if (saved && saved.at >= serverUpdated && !isBound && banner) {
      var current = JSON.stringify(collect());
      if (current !== JSON.stringify(Object.assign(collect(), saved.data))) {
        banner.classList.remove("d-none");
        document.getElementById("restore-button").addEventListener("click", function () {
          apply(saved.data);
          dirty = true;
          banner.classList.add("d-none");
        });
        document.getElementById("discard-button").addEventListener("click", function () {
          localStorage.removeItem(key);
          banner.classList.add("d-none");
        });
      }
    }
  } catch (e) { /* corrupt entry: ignore */ }

  form.addEventListener("submit", function () { store(); });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

/* "其他" text boxes: shown when their "其他" is ticked or when they already hold text.
 * Hiding never clears what was typed. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) return;
  var boxes = form.querySelectorAll("[data-other-of]");

  function ticked(name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    return Array.prototype.some.call(inputs, function (input) {
      if (input.type === "checkbox" && inputs.length === 1) return input.checked;
      return (input.type === "checkbox" || input.type === "radio") && input.checked && input.value === "other";
    });
  }

  function hasValue(box) {
    if (box.tagName === "SELECT") return Array.prototype.some.call(box.options, function (o) { return o.selected; });
    return box.value.trim() !== "";
  }

  function update() {
    Array.prototype.forEach.call(boxes, function (box) {
      var wrapper = document.getElementById("div_" + box.id) || box.parentElement;
      var show = ticked(box.dataset.otherOf) || hasValue(box) || wrapper.querySelector(".invalid-feedback");
      wrapper.classList.toggle("d-none", !show);
    });
  }

  form.addEventListener("change", update);
  update();
})();
