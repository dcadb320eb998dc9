// Polls a job's progress every second and moves the bar; when the job ends, reloads the page,
// which then shows the outcome rendered by the server.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  var running = ["queued", "running"];
  var grouped = new Intl.NumberFormat("en-US");

  function show(progress) {
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
    text.querySelector("[data-done]").textContent = grouped.format(progress.done);
    text.querySelector("[data-total]").textContent = grouped.format(progress.total);
    text.querySelector("[data-percent]").textContent = progress.percent;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        show(progress);
        if (running.indexOf(progress.status) === -1) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 1000);
})();
