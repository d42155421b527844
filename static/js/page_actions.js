/* Behaviours a page asks for by attribute, instead of inline handlers (the
 * Content-Security-Policy runs no inline script):
 *   <select data-autosubmit>   submits its form when the choice changes;
 *   <button data-print>        prints the page.
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
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
})();
