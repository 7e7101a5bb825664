// Collab Portal: behaviour without inline scripts (so a strict CSP can forbid them).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
});
