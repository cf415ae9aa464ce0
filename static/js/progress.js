// Polls a job's status URL (the same JSON for every kind of job) and moves its progress bar; shows the
// note when another worker took the job over; reloads the page when the job is finished.
(function () {
  document.querySelectorAll("[data-job-status]").forEach(function (box) {
    var url = box.getAttribute("data-job-status");
    var meter = box.querySelector("[role=progressbar]");
    var bar = box.querySelector(".progress-bar");
    var label = box.querySelector("[data-job-label]");
    var takenOver = document.querySelector("[data-job-taken-over]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          bar.style.width = job.percent + "%";
          (meter || bar).setAttribute("aria-valuenow", job.percent);
          bar.textContent = job.percent + "%";
          if (label) { label.textContent = job.status_label + " · " + job.processed + " / " + job.total; }
          if (takenOver && job.taken_over > 0) { takenOver.hidden = false; }
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
