// django-import-export's export form: each resource's "Select all" box checks or clears that
// resource's field boxes, and follows them (cleared once a field is cleared, checked once all
// are). Bound here rather than by the package's onchange="" attribute, which the site's CSP blocks.
(function () {
  "use strict";
  function fieldBoxes(toggle) {
    const index = toggle.closest("[resource-index]").getAttribute("resource-index");
    return Array.from(
      document.querySelectorAll(
        '.selectable-field-export-row[resource-index="' + index + '"] input[type="checkbox"]:not(.select-toggle)'
      )
    );
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".selectable-field-export-row input.select-toggle").forEach(function (toggle) {
      const boxes = fieldBoxes(toggle);
      toggle.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = toggle.checked; });
      });
      boxes.forEach(function (box) {
        box.addEventListener("change", function () {
          toggle.checked = boxes.every(function (each) { return each.checked; });
        });
      });
    });
  });
})();
