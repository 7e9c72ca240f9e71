// LibCoop's own few behaviours, bound here rather than in inline handlers so that the
// Content-Security-Policy can allow scripts from this site only (script-src 'self').
//   <select data-autosubmit>  submits its form when changed (the language switch);
//   <form data-confirm="…">   asks before it is sent (removing, cancelling).
"use strict";
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
