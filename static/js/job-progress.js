/* A progress bar marked data-progress-url (templates/portal/_job_progress.html) asks its URL for the
   work's status about once a second and moves the bar; when the work has ended it reloads the page,
   which then shows the result link, the summary or what failed. Without JavaScript the page reloads
   itself (<noscript> refresh) instead. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-progress-bar]");
  var meter = box.querySelector("[role=progressbar]");
  var statusText = box.querySelector("[data-progress-status]");
  var messageText = box.querySelector("[data-progress-message]");
  var countText = box.querySelector("[data-progress-count]");
  var finishedAtLoad = bar && !bar.classList.contains("progress-bar-animated");
  if (finishedAtLoad) { return; }
  var delay = 1000;

  function show(data) {
    var percent = Math.max(0, Math.min(100, data.percent || 0));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    meter.setAttribute("aria-valuenow", String(percent));
    if (statusText && data.status_label) { statusText.textContent = data.status_label; }
    if (messageText) { messageText.textContent = data.message ? " · " + data.message : ""; }
    if (countText && data.total) { countText.textContent = "(" + data.done + "/" + data.total + ")"; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  /* the server is busy or restarting: ask less often */
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
