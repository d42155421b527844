// Progressive enhancement of the vote buttons: without JavaScript each button is a plain form
// post (message + redirect); with it the page posts the same form with
// "Accept: application/json" and updates itself from {ok, message, votes_left, count}.
(function () {
  "use strict";

  // The answer stands in the card that was tapped (its .vote-message slot, a live region),
  // not at the top of a long phone page where the voter would not see it.
  function showMessage(form, text, ok) {
    var card = form.closest ? form.closest(".vote-card") : null;
    var slot = card && card.querySelector(".vote-message");
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (ok ? "success" : "warning") + " small py-2 mb-0";
    alert.textContent = text;
    if (slot) {
      slot.replaceChildren(alert);
      return;
    }
    var main = document.querySelector("main");
    if (main) main.insertBefore(alert, main.firstChild);
  }

  function disabledButton(label, cls) {
    var button = document.createElement("button");
    button.className = "btn btn-sm " + cls;
    button.disabled = true;
    button.textContent = label;
    return button;
  }

  // The voted case's own count: the badge in its card (the round's list), else the page's only
  // badge (a case's page, where the badge stands above the text). Looked up before the form
  // is replaced: a replaced form has no card any more.
  function countBadge(form) {
    var card = form.closest ? form.closest(".vote-card") : null;
    var badge = card && card.querySelector(".vote-count");
    if (badge) return badge;
    var all = document.querySelectorAll(".vote-count");
    return all.length === 1 ? all[0] : null;
  }

  function update(form, data) {
    var badge = countBadge(form);
    form.replaceWith(disabledButton("✓ " + form.dataset.labelVoted, "btn-success"));
    var left = document.querySelector("[data-testid=votes-left]");
    if (left && left.dataset.template) {
      left.textContent = left.dataset.template.replace("{left}", data.votes_left);
    }
    if (data.count !== null && data.count !== undefined) {
      if (badge && badge.dataset.template) {
        badge.textContent = badge.dataset.template.replace("{n}", data.count);
      }
    }
    if (data.votes_left === 0) {
      document.querySelectorAll("form.vote-form").forEach(function (other) {
        other.replaceWith(disabledButton(other.dataset.labelSpent, "btn-outline-secondary"));
      });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("vote-form") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      // URL-encoded, as the plain form posts: cheaper for the server to read than multipart.
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.redirect) {
          window.location.href = data.redirect;
          return;
        }
        showMessage(form, data.message, data.ok);
        if (data.ok) update(form, data);
        else if (button) button.disabled = false;
      })
      .catch(function () {
        form.submit(); // no JSON (network error, an error page): fall back to the plain post
      });
  });
})();
