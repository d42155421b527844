/* The expert's score sheet: a running total (weight × score summed) while typing, and the
 * scores outside their limits marked. A help only: the server validates every score.
 * Nothing typed is lost: every change is kept in localStorage (per user and assignment) and
 * put back when the page loads with values newer than the server's draft, for instance after
 * the idle timeout ended the session and the expert logged in again (as the case form). */
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

  var key = form.dataset.autosaveKey;
  var serverUpdated = parseInt(form.dataset.serverUpdated || "0", 10);
  var fields = Array.prototype.filter.call(form.elements, function (el) {
    return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" &&
      el.type !== "hidden" && !el.disabled;
  });

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function save() {
    var store = storage();
    if (!store || !key) return;
    var values = {};
    fields.forEach(function (el) { values[el.name] = el.value; });
    store.setItem(key, JSON.stringify({ savedAt: Date.now(), values: values }));
  }

  function restore() {
    var store = storage();
    if (!store || !key) return;
    var stored;
    try { stored = JSON.parse(store.getItem(key) || "null"); } catch (e) { stored = null; }
    if (!stored || !stored.values) { store.removeItem(key); return; }
    var differs = fields.some(function (el) {
      return el.name in stored.values && stored.values[el.name] !== el.value;
    });
    if (!differs || stored.savedAt / 1000 <= serverUpdated) { store.removeItem(key); return; }
    fields.forEach(function (el) {
      if (el.name in stored.values) el.value = stored.values[el.name];
    });
    var notice = document.getElementById("score-autosave-restored");
    if (notice) {
      notice.textContent = form.dataset.textRestored || "";
      notice.classList.remove("d-none");
    }
  }

  form.addEventListener("input", function () { update(); save(); });
  form.addEventListener("submit", save);
  restore();
  update();
})();
