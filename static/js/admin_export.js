/* The admin's export page (templates/admin/import_export/export.html): "select all" ticks or
 * clears every field, as the package's inline onchange handler did. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]').forEach(
        function (checkbox) { checkbox.checked = toggle.checked; });
    });
  });
});
