// NRS: small progressive enhancements. No inline scripts (the CSP forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});
// After a failed submit the page comes back with errors: put the focus on the first field with one
// (the error summary at the top links to every field, for readers without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var bad = document.querySelector('[aria-invalid="true"], fieldset.has-error input, .has-error select, .has-error textarea');
  if (bad && typeof bad.focus === "function") {
    bad.focus();
  }
});
// A table too wide for a phone scrolls inside its own box (nrs.css): let the keyboard reach it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.grid").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) {
      table.setAttribute("tabindex", "0");
    }
  });
});
