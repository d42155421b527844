/* Behaviours a page asks for by attribute, instead of inline handlers (the
 * Content-Security-Policy runs no inline script):
 *   <select data-autosubmit>   submits its form when the choice changes;
 *   <button data-print>        prints the page;
 *   <input type="file">        shows 选择文件 / 未选择文件 / the chosen name in Chinese, whatever
 *                              the browser's own language (the input stays, transparent, on top).
 * Irreversible steps ask on a confirmation page (core/confirm.py), not with window.confirm.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  function chineseFileInput(input) {
    var wrap = document.createElement("div");
    wrap.className = "input-group file-chooser";
    var button = document.createElement("span");
    button.className = "btn btn-outline-secondary";
    button.textContent = "选择文件";
    var name = document.createElement("span");
    name.className = "form-control text-truncate file-name";
    name.textContent = "未选择文件";
    button.setAttribute("aria-hidden", "true");
    name.setAttribute("aria-hidden", "true");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(button);
    wrap.appendChild(name);
    wrap.appendChild(input);
    input.addEventListener("change", function () {
      var files = input.files ? Array.prototype.map.call(input.files, function (f) { return f.name; }) : [];
      name.textContent = files.length ? files.join("、") : "未选择文件";
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[type="file"]'), chineseFileInput);
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
})();
