// Events: pause the moderation list's polling while someone is writing in it, and print.
(function () {
  "use strict";
  function isBusy(container) {
    if (container.querySelector("details[open]")) {
      return true;
    }
    var active = document.activeElement;
    return Boolean(active && container.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName));
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    // Only the polling GET is paused; the moderator's own actions always go through.
    if (element.classList && element.classList.contains("js-pausable") && isBusy(element)) {
      event.preventDefault();
    }
  });
  // A poll that left before the moderator opened a form must not wipe what they typed since.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // detail.elt is the swap target here; the element that sent the request is in requestConfig.
    var element = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (element && element.classList && element.classList.contains("js-pausable") && isBusy(element)) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-print")) {
      window.print();
    }
  });
})();
