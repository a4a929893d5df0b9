/*
 * i-Kfz: after the payment the application is submitted at once. The page shows a button that does the same
 * (it works without JavaScript); this file only presses it for the citizen, once.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector('form[data-kfz-autosubmit="ja"]');
    if (form && !form.dataset.sent) {
      form.dataset.sent = "1";
      var button = form.querySelector('button[type="submit"]');
      if (button) {
        button.disabled = true;
      }
      form.submit();
    }
  });
})();
