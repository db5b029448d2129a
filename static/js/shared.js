// What the portal's pages and the admin share (loaded by base.html and admin/base_site.html):
// tables that scroll inside their own box and say so, and the Jalali date picker.
(function () {
  "use strict";

  // ---- Tables: a table wider than the screen scrolls sideways inside its own box; the box
  // shows a cue ("swipe sideways") and a shadow on each side where more is hidden. Tables that
  // fit are left as they are.
  var SCROLLERS = ".table-responsive, .table-scroll, #changelist .results";

  function cueText() {
    var meta = document.querySelector('meta[name="table-scroll-cue"]');
    return meta ? meta.content : "";
  }

  function setUpScroller(scroller) {
    if (scroller.hasAttribute("data-scroll-ready")) {
      return;
    }
    scroller.setAttribute("data-scroll-ready", "");
    scroller.classList.add("table-scroll");
    scroller.setAttribute("data-cue", cueText());
    function update() {
      var hidden = scroller.scrollWidth - scroller.clientWidth;
      var scrollable = hidden > 1;
      scroller.classList.toggle("is-scrollable", scrollable);
      if (scrollable) {
        // Keyboard users can scroll it too; screen readers hear what it is.
        scroller.tabIndex = 0;
        scroller.setAttribute("role", "region");
        scroller.setAttribute("aria-label", cueText());
      } else {
        scroller.removeAttribute("tabindex");
        scroller.removeAttribute("role");
        scroller.removeAttribute("aria-label");
      }
      var done = Math.abs(scroller.scrollLeft); // right-to-left pages scroll with negative values
      scroller.classList.toggle("at-start", done < 2);
      scroller.classList.toggle("at-end", done > hidden - 2);
    }
    scroller.addEventListener("scroll", update, { passive: true });
    if (window.ResizeObserver) {
      new ResizeObserver(update).observe(scroller);
    }
    update();
  }

  function setUpTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      if (!table.parentElement.closest(SCROLLERS)) {
        var box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    root.querySelectorAll(SCROLLERS).forEach(setUpScroller);
  }

  // ---- The Jalali picker (Persian pages only): Persian digits, a close button, closes on
  // Escape and on a tap outside, and opens in the flow of the form right under its date box,
  // so it pushes the rest of the form (and its submit button) down instead of covering it.
  function startDatePicker() {
    var picker = window.jalaliDatepicker;
    if (!picker) {
      return;
    }
    picker.startWatch({
      time: false,
      autoShow: true,
      autoHide: true,
      hideAfterChange: true,
      showCloseBtn: true,
      showTodayBtn: true,
      showEmptyBtn: true,
      persianDigits: true,
      autoReadOnlyInput: false,
    });
    function dock(input) {
      var box = document.querySelector("jdp-container");
      if (box && input.nextElementSibling !== box) {
        input.insertAdjacentElement("afterend", box);
      }
      if (box && box.scrollIntoView) {
        window.setTimeout(function () {
          box.scrollIntoView({ block: "nearest" });
        }, 50);
      }
    }
    function isDateBox(target) {
      return target && target.matches && target.matches("input[data-jdp]");
    }
    document.addEventListener("focusin", function (event) {
      if (isDateBox(event.target)) {
        dock(event.target);
        return;
      }
      // Focus moved on to another field (the phone keyboard's "next", a tap): the picker closes
      // now, before the next tap, so the form does not jump under the finger when it would
      // close on that tap (it sits in the form's flow) and the tap lands where it was aimed.
      var box = document.querySelector("jdp-container");
      if (box && box.style.display !== "none" && !box.contains(event.target) && picker.hide) {
        picker.hide();
        // The picker ignores hide() during its 0.3 s opening: try again once it has opened.
        window.setTimeout(function () {
          var active = document.activeElement;
          if (box.style.display !== "none" && !isDateBox(active) && !box.contains(active)) {
            picker.hide();
          }
        }, 350);
      }
    });
    // A tap on a date box that still has the focus (closed with the close button) opens it again.
    document.addEventListener("click", function (event) {
      var box = document.querySelector("jdp-container");
      if (isDateBox(event.target) && (!box || box.style.display === "none")) {
        picker.show(event.target);
        dock(event.target);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && picker.hide) {
        var box = document.querySelector("jdp-container");
        if (box && box.style.display !== "none") {
          picker.hide();
        }
      }
    });
  }

  // The picker's script and style (9 KB) load only on a Persian page that has a date box, now or
  // after an htmx swap (the body names their addresses); the admin loads them itself.
  var pickerLoading = false;
  function loadDatePickerWhenNeeded() {
    if (window.jalaliDatepicker) {
      startDatePicker();
      return;
    }
    var body = document.body;
    var src = body && body.getAttribute("data-jdp-js");
    if (!src) {
      return;
    }
    function load() {
      if (pickerLoading || !document.querySelector("input[data-jdp]")) {
        return;
      }
      pickerLoading = true;
      var style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = body.getAttribute("data-jdp-css");
      // Before the portal's own style sheets, so that their rules (the picker docked in the
      // form's flow) win over the picker's own, as when it was linked in the page's head.
      document.head.insertBefore(style, document.head.querySelector('link[rel="stylesheet"]'));
      var script = document.createElement("script");
      script.src = src;
      script.onload = startDatePicker;
      document.head.appendChild(script);
    }
    load();
    body.addEventListener("htmx:afterSwap", load);
  }

  // ---- Persian digits in what the admin's own scripts write on a Persian page (the selection
  // counter «۰ از ۲۱ انتخاب شده»); the server gives the rest of the page Persian digits.
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  function persianDigits(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (/[0-9]/.test(node.nodeValue)) {
        node.nodeValue = node.nodeValue.replace(/[0-9]/g, function (d) {
          return PERSIAN.charAt(+d);
        });
      }
    }
  }
  function watchAdminCounters() {
    if (document.documentElement.lang !== "fa" || !window.MutationObserver) {
      return;
    }
    document.querySelectorAll(".actions .action-counter, .actions .all, .actions .question").forEach(function (el) {
      persianDigits(el);
      new MutationObserver(function () {
        persianDigits(el);
      }).observe(el, { childList: true, characterData: true, subtree: true });
    });
  }

  function start() {
    setUpTables(document);
    loadDatePickerWhenNeeded();
    watchAdminCounters();
    document.body.addEventListener("htmx:afterSwap", function (event) {
      setUpTables(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
