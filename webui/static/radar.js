// Radar's only script: a dependency picture opens centred on its issue, and
// the findings filter applies as soon as a choice changes. Every page works
// without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".graph-scroll");
  var focus = box && box.querySelector(".node.focus rect");
  if (focus) {
    var b = box.getBoundingClientRect(), f = focus.getBoundingClientRect();
    box.scrollLeft += f.left - b.left - (b.width - f.width) / 2;
    box.scrollTop += f.top - b.top - (b.height - f.height) / 2;
  }
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  form.querySelectorAll("select").forEach(function (s) {
    s.addEventListener("change", function () { form.submit(); });
  });
});
