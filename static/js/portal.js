// The portal's own script: no inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  function startDatePicker() {
    if (window.jalaliDatepicker) {
      window.jalaliDatepicker.startWatch({ time: false, autoShow: true, hideAfterChange: true });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startDatePicker);
  } else {
    startDatePicker();
  }
  // Buttons that ask before they act: <button data-confirm="…">
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
