/*
 * Small enhancements of the researcher pages. Every page works without this file:
 * forms have submit buttons, and text can be selected and copied by hand.
 */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) {
          return;
        }
        var status = button.closest("section") && button.closest("section").querySelector(".copy-status");
        var text = target.textContent.trim();
        function report(message) {
          if (status) {
            status.textContent = message;
          }
        }
        function fallback() {
          selectText(target);
          report("Selected: press Ctrl+C (or Cmd+C) to copy.");
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            report("Copied.");
          }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  /* Explore: on a wide screen ticking a facet value applies it at once (the page says so there). */
  var FOCUS_KEY = "explore-focus";

  function rememberFocus(id) {
    try {
      window.sessionStorage.setItem(FOCUS_KEY, id);
    } catch (error) {
      /* Storage may be off; focus then starts at the top of the page. */
    }
  }

  function restoreFocus() {
    var id = null;
    try {
      id = window.sessionStorage.getItem(FOCUS_KEY);
      window.sessionStorage.removeItem(FOCUS_KEY);
    } catch (error) {
      return;
    }
    var element = id && document.getElementById(id);
    if (element) {
      element.focus();
    }
  }

  /*
   * Explore's filters: on a phone a drawer, closed until asked for, so the results come first;
   * from 960px (site.css) open beside the results. Ticking a value applies it at once only there,
   * where the results are in view; in the drawer the reader ticks several and applies them.
   */
  var WIDE = window.matchMedia("(min-width: 960px)");

  function setupFiltersDrawer() {
    var drawer = document.getElementById("filters-drawer");
    if (!drawer) {
      return;
    }
    if (WIDE.matches) {
      drawer.open = true;
    }
    WIDE.addEventListener("change", function () {
      drawer.open = WIDE.matches;
    });
  }

  function setupAutoSubmit() {
    var form = document.getElementById("explore-form");
    if (form) {
      restoreFocus();
      form.addEventListener("change", function (event) {
        var type = event.target.type;
        if (WIDE.matches && (type === "checkbox" || type === "radio")) {
          rememberFocus(event.target.id);
          form.requestSubmit();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCopyButtons();
    setupFiltersDrawer();
    setupAutoSubmit();
  });
})();
