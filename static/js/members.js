// Members pages: ask before destructive buttons (no inline handlers: the CSP forbids them);
// on the application form, the guild licence field is only needed for guild workshops.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  function toggleLicence() {
    var checked = document.querySelector("input[name=kind]:checked");
    var licence = document.getElementById("id_guild_licence_number");
    if (!checked || !licence) return;
    var group = licence.closest(".mb-3");
    if (group) group.classList.toggle("opacity-50", checked.value === "home");
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind") toggleLicence();
  });
  document.addEventListener("DOMContentLoaded", toggleLicence);
})();
