// Keyboard shortcuts of the inbox item page: j / k move between candidates, a accepts the
// current one, d focuses its dismiss reason (Enter in the reason then dismisses).
(function () {
  "use strict";
  let current = -1;
  function rows() { return Array.from(document.querySelectorAll("button.inbox-accept")); }
  function typing(event) { return /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName); }
  function focusRow(index) {
    const buttons = rows();
    if (!buttons.length) return;
    current = Math.max(0, Math.min(index, buttons.length - 1));
    buttons[current].focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event)) {
      if (event.key === "Enter" && event.target.classList.contains("inbox-reason")) {
        event.preventDefault();
        event.target.parentElement.querySelector("button.inbox-dismiss").click();
      }
      return;
    }
    const buttons = rows();
    if (event.key === "j") { focusRow(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusRow(current - 1); event.preventDefault(); }
    else if (event.key === "a" && buttons[current]) { buttons[current].click(); event.preventDefault(); }
    else if (event.key === "d" && buttons[current]) {
      buttons[current].parentElement.querySelector("input.inbox-reason").focus();
      event.preventDefault();
    }
  });
})();
