/* The round set-up form: "add a row" buttons of its formsets (criteria, tiers). */
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.addRow;
      var total = document.querySelector("[name='" + prefix + "-TOTAL_FORMS']");
      var template = document.querySelector("template[data-empty='" + prefix + "']");
      var index = parseInt(total.value, 10);
      document.querySelector("[data-rows='" + prefix + "']").insertAdjacentHTML(
        "beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
    });
  });
})();
