// The label sheet's print button (no inline handlers: the CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
