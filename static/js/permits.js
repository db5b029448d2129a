// Permits pages. The issue form's "confirm a long validity" box only shows once the server
// has asked for it (it carries an error) or when it is ticked; everything works without JS.
(function () {
  "use strict";
  function hideUnneededConfirm() {
    var box = document.getElementById("id_confirm_long_validity");
    if (!box) { return; }
    var group = box.closest(".form-check");
    if (!group) { return; }
    var asked = group.querySelector(".invalid-feedback") !== null;
    if (!asked && !box.checked) { group.classList.add("d-none"); }
  }
  // Keep the worker/product pickers relevant to the chosen permit type.
  function syncCaseForm() {
    var select = document.getElementById("id_permit_type");
    if (!select) { return; }
    var kinds = {};
    try { kinds = JSON.parse(select.getAttribute("data-holder-kinds") || "{}"); } catch (e) { kinds = {}; }
    function update() {
      var kind = kinds[select.value] || "";
      var worker = document.getElementById("id_worker");
      var product = document.getElementById("id_product");
      if (worker) { worker.closest(".mb-3").classList.toggle("d-none", kind !== "" && kind !== "worker" && kind !== "person"); }
      if (product) { product.closest(".mb-3").classList.toggle("d-none", kind !== "" && kind !== "business_product"); }
    }
    select.addEventListener("change", update);
    update();
  }
  function start() { hideUnneededConfirm(); syncCaseForm(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
