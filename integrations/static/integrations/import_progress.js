// The import page's progress bar: poll the job in the API every second while it is
// queued or running, and show its counts; stop once it has ended.
(function () {
  "use strict";
  const panel = document.getElementById("import-progress");
  if (!panel) return;
  const open = ["queued", "running"];
  const labels = {
    queued: "Queued", running: "Running", done: "Done", cancelled: "Cancelled", failed: "Failed",
  };

  function show(job) {
    panel.querySelectorAll("[data-field]").forEach(function (node) {
      const name = node.dataset.field;
      if (name in job && node.tagName !== "A") node.textContent = job[name];
    });
    panel.querySelector("[data-field=status_display]").textContent = labels[job.status] || job.status;
    const bar = panel.querySelector("[role=progressbar]");
    bar.setAttribute("aria-valuenow", job.percent);
    bar.firstElementChild.style.width = job.percent + "%";
    panel.querySelector("[data-field=errors_link]").hidden = job.rejected_count === 0;
    const cancel = panel.querySelector("[data-field=cancel_form]");
    if (cancel && open.indexOf(job.status) < 0) cancel.remove();
  }

  function poll() {
    fetch(panel.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
      .then(function (job) {
        show(job);
        if (open.indexOf(job.status) >= 0) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (open.indexOf(panel.dataset.status) >= 0) poll();
})();
