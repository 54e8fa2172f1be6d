/* Registration (and any form with an applicant category): show only the fields of the chosen
   category. A block marked data-category-of="<radio name>" is hidden when the checked category is
   listed in its data-category-hide, or not listed in its data-category-show. Nothing is cleared,
   and with no category chosen (or without JavaScript) every block shows: the server decides. */
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-category-of]");
  if (!blocks.length) return;

  function chosen(name) {
    var radio = document.querySelector('input[name="' + name + '"]:checked');
    return radio ? radio.value : "";
  }

  function update() {
    blocks.forEach(function (block) {
      var value = chosen(block.dataset.categoryOf);
      var hide = false;
      if (value && block.dataset.categoryShow !== undefined) {
        hide = block.dataset.categoryShow.split(" ").indexOf(value) === -1;
      }
      if (value && block.dataset.categoryHide !== undefined) {
        hide = hide || block.dataset.categoryHide.split(" ").indexOf(value) !== -1;
      }
      block.hidden = hide;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.type === "radio") update();
  });
  update();
})();
