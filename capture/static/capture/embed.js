// The embed snippet of a leadfunnel form: it fills in the page's tracking parameters, sends
// the form without leaving the page and shows the thank-you or the errors in place. Without
// this script the form still works: it posts to the hosted page.
(function () {
  "use strict";
  var TRACKING = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid"];

  function hidden(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function showErrors(form, errors) {
    form.querySelectorAll(".leadfunnel-error").forEach(function (node) { node.remove(); });
    Object.keys(errors).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      var message = document.createElement("p");
      message.className = "leadfunnel-error";
      message.setAttribute("role", "alert");
      message.textContent = errors[name].join(" ");
      (input && input.closest("label") ? input.closest("label") : form).after(message);
    });
  }

  function wire(form) {
    var params = new URLSearchParams(window.location.search);
    TRACKING.forEach(function (name) { if (params.get(name)) hidden(form, name, params.get(name)); });
    hidden(form, "referrer", document.referrer);
    hidden(form, "landing_page", window.location.href);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: body, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          if (!answer.ok) {
            showErrors(form, answer.data.detail ? { form: [answer.data.detail] } : answer.data);
          } else if (answer.data.redirect) {
            window.location.assign(answer.data.redirect);
          } else {
            var thanks = document.createElement("p");
            thanks.className = "leadfunnel-thanks";
            thanks.setAttribute("role", "status");
            thanks.textContent = answer.data.message;
            form.replaceWith(thanks);
          }
        });
    });
  }

  document.querySelectorAll("form[data-leadfunnel-form]").forEach(wire);
})();
