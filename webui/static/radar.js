// Radar's only script: the findings filter applies as soon as a choice
// changes. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  form.querySelectorAll("select").forEach(function (s) {
    s.addEventListener("change", function () { form.submit(); });
  });
});
