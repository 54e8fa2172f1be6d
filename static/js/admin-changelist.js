"use strict";
// The admin's change lists at laptop widths.
// - The filter panel folds away behind the 筛选 button: folded by default in a window narrower than
//   WIDE, open in a wider one, and the choice made with the button is remembered in this browser.
//   The class on <html> is set here, in the page's head, so that the panel never flashes open.
// - Django's navigation sidebar starts folded in a narrow window too, until the user opens it.
// - A cell cut short with an ellipsis shows its whole text in a tooltip (title).
(function () {
  const KEY = "portal.admin.filters";
  const WIDE = 1440; // px
  const root = document.documentElement;

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }
  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // Private windows may refuse storage: the choice then lasts until the next page.
    }
  }

  const choice = stored(KEY);
  const open = choice ? choice === "open" : window.innerWidth >= WIDE;
  root.classList.add("filters-js", open ? "filters-open" : "filters-folded");
  if (stored("django.admin.navSidebarIsOpen") === null && window.innerWidth < WIDE) {
    store("django.admin.navSidebarIsOpen", "false");
  }

  function show(button, isOpen) {
    root.classList.toggle("filters-open", isOpen);
    root.classList.toggle("filters-folded", !isOpen);
    button.setAttribute("aria-expanded", String(isOpen));
  }

  function titleTruncatedCells() {
    document.querySelectorAll("#result_list tbody td, #result_list tbody th").forEach(function (cell) {
      if (cell.dataset.autoTitle === undefined && cell.hasAttribute("title")) {
        return; // a title of the page's own
      }
      if (cell.scrollWidth > cell.clientWidth + 1) {
        cell.title = cell.textContent.trim();
        cell.dataset.autoTitle = "";
      } else if (cell.dataset.autoTitle !== undefined) {
        cell.removeAttribute("title");
        delete cell.dataset.autoTitle;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("filter-toggle");
    if (!button) {
      // A page whose template leaves out the button keeps its filters in view.
      root.classList.remove("filters-folded");
    } else {
      show(button, root.classList.contains("filters-open"));
      button.addEventListener("click", function () {
        const isOpen = !root.classList.contains("filters-open");
        show(button, isOpen);
        store(KEY, isOpen ? "open" : "closed");
        titleTruncatedCells();
      });
    }
    titleTruncatedCells();
    const navToggle = document.getElementById("toggle-nav-sidebar");
    if (navToggle) {
      navToggle.addEventListener("click", function () {
        window.setTimeout(titleTruncatedCells, 0);
      });
    }
    let pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(titleTruncatedCells, 150);
    });
  });
})();
