// The "type the code we sent" step: the "send a new code" button waits out its countdown, the
// page says when the code has expired, and a phone's browser may fill the code in from the SMS
// (WebOTP). Without JavaScript the page still works: the server refuses a too-early resend.
(function () {
  "use strict";
  var persian = (document.documentElement.lang || "").indexOf("fa") === 0;
  var digits = new Intl.NumberFormat(persian ? "fa-IR" : "en-US", { useGrouping: false });
  var twoDigits = new Intl.NumberFormat(persian ? "fa-IR" : "en-US", { minimumIntegerDigits: 2, useGrouping: false });

  function clock(seconds) {
    return digits.format(Math.floor(seconds / 60)) + ":" + twoDigits.format(seconds % 60);
  }

  function start(step) {
    var began = Date.now();
    var resendIn = parseInt(step.getAttribute("data-resend-in"), 10) || 0;
    var expiresIn = parseInt(step.getAttribute("data-expires-in"), 10) || 0;
    var button = step.querySelector("[data-resend]");
    var wait = step.querySelector("[data-resend-wait]");
    var countdown = step.querySelector("[data-countdown]");
    var expiry = step.querySelector("[data-expiry]");
    var expired = step.querySelector("[data-expired]");

    function tick() {
      var gone = Math.floor((Date.now() - began) / 1000);
      var left = resendIn - gone;
      if (button) button.disabled = left > 0;
      if (wait) wait.hidden = left <= 0;
      if (countdown && left > 0) countdown.textContent = clock(left);
      var live = expiresIn - gone > 0;
      if (expired) expired.hidden = live;
      if (expiry) expiry.hidden = !live;
      if (left > 0 || live) window.setTimeout(tick, 1000);
    }
    tick();
  }

  function webOtp() {
    var input = document.querySelector("[data-code-step] input[autocomplete=one-time-code]");
    if (!input || !("OTPCredential" in window) || !navigator.credentials) return;
    var aborter = new AbortController();
    input.form.addEventListener("submit", function () { aborter.abort(); });
    navigator.credentials
      .get({ otp: { transport: ["sms"] }, signal: aborter.signal })
      .then(function (otp) {
        if (otp && otp.code && !input.value) {
          input.value = otp.code;
          input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
        }
      })
      .catch(function () {});
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-code-step]"), start);
    webOtp();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
