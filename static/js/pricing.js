/* Unit prices: the submit form (net grams only for box/piece, one submission per click),
   the review queue (tick all). The charts are drawn by charts.js. */
(function () {
  "use strict";

  // Net grams only matter for a box or a piece.
  var unit = document.querySelector(".price-form select[name=unit]");
  var grams = document.querySelector(".price-form .js-grams");
  function toggleGrams() {
    if (unit && grams) grams.classList.toggle("d-none", unit.value === "kg" && !grams.querySelector(".invalid-feedback"));
  }
  if (unit) {
    unit.addEventListener("change", toggleGrams);
    toggleGrams();
  }

  // A second click while the first is being sent does nothing (the server also refuses
  // a second row; this just keeps the page calm).
  document.querySelectorAll("form").forEach(function (form) {
    var button = form.querySelector(".js-once");
    if (!button) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    });
  });

  var checkAll = document.querySelector(".js-check-all");
  if (checkAll) {
    checkAll.addEventListener("click", function () {
      var boxes = document.querySelectorAll("input[name=ids][form=bulk-review]");
      var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !all; });
    });
  }
})();
