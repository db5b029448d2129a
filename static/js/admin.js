// The admin's Jalali picker on date inputs the portal marks with data-jdp.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (window.jalaliDatepicker) {
      window.jalaliDatepicker.startWatch({ time: false, autoShow: true, hideAfterChange: true });
    }
  });
})();
