/* Behaviours a page asks for by attribute, instead of inline handlers (the
 * Content-Security-Policy runs no inline script):
 *   <form data-confirm="…">    asks before the form is submitted;
 *   <button data-confirm="…">  asks before its click goes ahead;
 *   <select data-autosubmit>   submits its form when the choice changes;
 *   <button data-print>        prints the page.
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm], [data-print]") : null;
    if (!target || target.tagName === "FORM") { return; }
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (!window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
})();
