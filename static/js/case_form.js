/* The case form: nothing typed is lost.
 *
 * Every change is kept in localStorage under a key per user, round and case. When the page
 * loads with stored values newer than the server's copy (for instance after the session
 * expired on "save" and the officer logged in again), they are put back into the form and a
 * notice says so. Stored values equal to what the server shows are dropped.
 * Also: character counters, adding key-figure rows, a warning before leaving unsaved changes.
 */
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  if (!form) { return; }
  // Its messages come translated from the template, as data-text-* attributes.
  var TEXT = {
    saved: form.dataset.textSaved || "",
    count: form.dataset.textCount || "",
    leave: form.dataset.textLeave || ""
  };
  var key = form.dataset.autosaveKey;
  var serverUpdated = parseInt(form.dataset.serverUpdated || "0", 10);
  var dirty = false;
  var submitting = false;
  var timer = null;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "action" &&
        el.type !== "file" && el.type !== "submit" && el.type !== "button" && !el.disabled;
    });
  }

  function collect() {
    var values = {};
    fields().forEach(function (el) {
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return values;
  }

  function sameAsForm(values) {
    var current = collect();
    return Object.keys(values).every(function (name) {
      if (!(name in current)) { return values[name] === "" || values[name] === false; }
      return current[name] === values[name];
    });
  }

  function apply(values) {
    var total = form.querySelector("[name$='-TOTAL_FORMS']");
    if (total && values[total.name]) {
      while (parseInt(total.value, 10) < parseInt(values[total.name], 10)) { addFigureRow(); }
    }
    fields().forEach(function (el) {
      if (!(el.name in values)) { return; }
      if (el.type === "checkbox") { el.checked = !!values[el.name]; } else { el.value = values[el.name]; }
    });
    updateCounters();
  }

  function save() {
    var store = storage();
    if (!store || !key) { return; }
    store.setItem(key, JSON.stringify({ savedAt: Date.now(), values: collect() }));
    var status = document.getElementById("autosave-status");
    if (status) {
      status.textContent = (TEXT.saved || "") + " " + new Date().toLocaleTimeString("zh-CN");
    }
  }

  function restore() {
    var store = storage();
    if (!store || !key) { return; }
    var raw = store.getItem(key);
    if (!raw) { return; }
    var stored;
    try { stored = JSON.parse(raw); } catch (e) { store.removeItem(key); return; }
    if (!stored || !stored.values) { store.removeItem(key); return; }
    if (sameAsForm(stored.values) || stored.savedAt / 1000 <= serverUpdated) {
      // The server already has this (or something newer): nothing to bring back.
      store.removeItem(key);
      return;
    }
    apply(stored.values);
    dirty = true;
    var notice = document.getElementById("autosave-restored");
    if (notice) { notice.classList.remove("d-none"); }
  }

  function forgetNewDraftSavedHere() {
    // A new case, once saved, lives on under its own key: drop the "new" copy of it.
    var store = storage();
    if (!store || !key || /:new$/.test(key)) { return; }
    var newKey = key.replace(/:[^:]+$/, ":new");
    var raw = store.getItem(newKey);
    if (!raw) { return; }
    try {
      var stored = JSON.parse(raw);
      var title = form.querySelector("[name=title]");
      if (stored && stored.values && title && stored.values.title === title.value) {
        store.removeItem(newKey);
      }
    } catch (e) { store.removeItem(newKey); }
  }

  function updateCounters() {
    form.querySelectorAll("textarea[maxlength], input[maxlength][name=title], input[maxlength][name=subtitle]").forEach(function (el) {
      var counter = el.parentNode.querySelector(".char-count");
      if (!counter) {
        counter = document.createElement("div");
        counter.className = "form-text text-end char-count";
        el.insertAdjacentElement("afterend", counter);
      }
      var max = parseInt(el.getAttribute("maxlength"), 10);
      var n = el.value.length;
      counter.textContent = (TEXT.count || "%(n)s / %(max)s").replace("%(n)s", n).replace("%(max)s", max);
      counter.classList.toggle("over", n > max);
    });
  }

  function addFigureRow() {
    var total = form.querySelector("[name$='-TOTAL_FORMS']");
    var template = document.getElementById("figure-empty");
    var body = document.getElementById("figures-rows");
    if (!total || !template || !body) { return; }
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  }

  var addButton = document.getElementById("add-figure");
  if (addButton) {
    addButton.addEventListener("click", function () { addFigureRow(); dirty = true; save(); });
  }
  var discard = document.getElementById("autosave-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      var store = storage();
      if (store) { store.removeItem(key); }
      dirty = false;
      window.location.reload();
    });
  }

  form.addEventListener("input", function () {
    dirty = true;
    updateCounters();
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  });
  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("submit", function () {
    // Keep the stored copy: if the session has expired, it is what brings the text back.
    clearTimeout(timer);
    save();
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = TEXT.leave || "";
      return TEXT.leave || "";
    }
  });

  restore();
  forgetNewDraftSavedHere();
  updateCounters();
  var firstError = form.querySelector(".is-invalid, .invalid-feedback");
  if (firstError) { firstError.scrollIntoView({ block: "center" }); }
})();
