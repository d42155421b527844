/* The expert's score sheet: a running total (weight × score summed) while typing, and the
 * scores outside their limits marked. A help only: the server validates every score. */
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  var output = document.getElementById("running-total");
  if (!form || !output) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.score-input"));
  var note = document.getElementById("score-range-note");

  function update() {
    var total = 0;
    var bad = false;
    inputs.forEach(function (input) {
      var text = input.value.trim();
      var invalid = input.validity && !input.validity.valid;
      if (text !== "" && !invalid) {
        var value = Number(text);
        var max = Number(input.max);
        if (!isFinite(value) || value < 0 || (input.max !== "" && value > max)) {
          invalid = true;
        } else {
          total += value * Number(input.dataset.weight || 1);
        }
      }
      input.classList.toggle("is-invalid", invalid);
      input.setAttribute("aria-invalid", invalid ? "true" : "false");
      bad = bad || invalid;
    });
    output.value = total.toFixed(2);
    if (note) note.textContent = bad ? form.dataset.textOutOfRange : "";
  }

  form.addEventListener("input", update);
  update();
})();
