/* A select marked data-submit-on-change sends its form as soon as a choice is made (the language
   switcher). Without JavaScript the form's own button does the same. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
