// The expert export page's "Select all" box: the library binds it with an inline onchange attribute,
// which the Content Security Policy refuses, so our copy of the page drops it and binds it here.
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
