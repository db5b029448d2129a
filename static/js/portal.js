// The portal's own script: no inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // The Jalali picker and scrolling tables: static/js/shared.js.
  // Buttons that ask before they act: <button data-confirm="…">
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
