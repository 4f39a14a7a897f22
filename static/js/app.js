/* leadfunnel's few lines of JavaScript: live SLA countdowns, bulk selection, dismissable
   messages, selects that submit their form, the scoring rule form's two kinds. Everything works without it; htmx does the rest. */
(function () {
  "use strict";

  /* --- SLA countdowns: <time data-due="ISO 8601">; its row turns "overdue" when due. --- */
  function span(ms, day) {
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days > 0) return days + " " + day + " " + hours + " h";
    if (hours > 0) return hours + " h " + String(mins).padStart(2, "0") + " min";
    var seconds = Math.floor(ms / 1000) % 60;
    return mins + " min " + String(seconds).padStart(2, "0") + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var late = now >= due;
      // The words come from the page, in its language: "overdue by {span}", "in {span}".
      var words = late ? el.dataset.late : el.dataset.early;
      var text = span(late ? now - due : due - now, el.dataset.day || "d");
      el.textContent = words ? words.replace("{span}", text) : text;
      el.classList.toggle("overdue", late);
      var row = el.closest("tr");
      if (row && !row.classList.contains("done")) row.classList.toggle("overdue", late);
    });
  }

  /* --- Bulk selection on the contacts list ------------------------------------------- */
  function refreshBulk() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var boxes = form.querySelectorAll('input[name="contacts"]');
    var chosen = form.querySelectorAll('input[name="contacts"]:checked').length;
    var label = form.querySelector("[data-selected-count]");
    if (label) {
      // The words come from the page, in its language: "{count} selected", "None selected".
      if (!label.dataset.none) label.dataset.none = label.textContent;
      label.textContent = chosen ? label.dataset.some.replace("{count}", chosen) : label.dataset.none;
    }
    form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = chosen === 0;
    });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      target.form.querySelectorAll('input[name="contacts"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.form && target.form.id === "bulk") refreshBulk();
    if (target.matches("[data-autosubmit]") && target.form) target.form.requestSubmit();
  });

  /* --- Scoring rule form: the event's fields only for a behaviour rule ---------------- */
  function refreshKind() {
    var form = document.querySelector("[data-rule-form]");
    if (!form) return;
    var kind = form.querySelector('input[name="kind"]:checked');
    form.querySelectorAll("[data-kind]").forEach(function (part) {
      part.hidden = Boolean(kind) && part.dataset.kind !== kind.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind") refreshKind();
  });

  /* --- Messages: dismiss on click; success notes fade after a while ------------------- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".message").remove();
  });

  function expireSuccess(root) {
    root.querySelectorAll(".messages .message.success").forEach(function (message) {
      if (message.dataset.expires) return;
      message.dataset.expires = "1";
      setTimeout(function () { message.remove(); }, 8000);
    });
  }

  /* --- Menus (<details>) close on a click elsewhere or on Escape ---------------------- */
  function closeMenus(except) {
    document.querySelectorAll("details.dropdown[open], details.usermenu[open]").forEach(
      function (menu) { if (!menu.contains(except)) menu.open = false; }
    );
  }
  document.addEventListener("click", function (event) { closeMenus(event.target); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  /* --- A reject menu closes once its choice is sent ------------------------------------ */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var menu = event.target.closest("details.dropdown");
    if (menu) menu.open = false;
  });

  /* --- The quick log: Ctrl+Enter (Cmd+Enter) sends it from any field ----------------- */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form.quick-log");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    tick();
    refreshBulk();
    expireSuccess(document);
  });

  document.addEventListener("DOMContentLoaded", function () {
    refreshKind();
    tick();
    refreshBulk();
    expireSuccess(document);
    setInterval(tick, 1000);
  });
})();
