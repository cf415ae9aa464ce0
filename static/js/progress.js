// Polls a job's status URL and moves its progress bar; reloads the page when the job is done.
(function () {
  document.querySelectorAll("[data-job-status]").forEach(function (box) {
    var url = box.getAttribute("data-job-status");
    var meter = box.querySelector("[role=progressbar]");
    var bar = box.querySelector(".progress-bar");
    var label = box.querySelector("[data-job-label]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          bar.style.width = job.percent + "%";
          (meter || bar).setAttribute("aria-valuenow", job.percent);
          bar.textContent = job.percent + "%";
          if (label) { label.textContent = job.status_label + " · " + job.processed + " / " + job.total; }
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
