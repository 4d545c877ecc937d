/* Qashyq: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var wide = window.matchMedia("(min-width: 56rem)");

  // On wide screens the header menu is always open; on a phone it is a details/summary toggle.
  function syncMenus() {
    document.querySelectorAll("details[data-wide-open]").forEach(function (menu) {
      if (wide.matches) {
        menu.setAttribute("open", "");
      } else if (!menu.dataset.touched) {
        menu.removeAttribute("open");
      }
    });
  }

  // Escape closes an open dropdown and returns focus to its toggle; a click outside closes it.
  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncMenus();
    if (wide.addEventListener) wide.addEventListener("change", syncMenus);
    document.querySelectorAll("details[data-wide-open] > summary").forEach(function (s) {
      s.addEventListener("click", function () { s.parentElement.dataset.touched = "1"; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var open = document.querySelector("details.dropdown[open]");
      if (open) {
        open.removeAttribute("open");
        open.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      var inside = event.target.closest ? event.target.closest("details.dropdown") : null;
      closeDropdowns(inside);
    });
  });
})();
