/* One click is enough: once the submit form is on its way, further clicks do nothing. */
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    if (button.dataset.sent) { event.preventDefault(); return; }
    button.dataset.sent = "1";
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
})();
