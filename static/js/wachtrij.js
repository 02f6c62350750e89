// The review queue: one box chooses every submission on the page, and the decision bar
// counts what is chosen. Without JavaScript each box is chosen on its own. Event
// delegation, so it keeps working after htmx replaces the queue.
(function () {
  "use strict";
  function vakjes() { return document.querySelectorAll('input[name="inzendingen"][type="checkbox"]'); }
  function tel() {
    var alles = document.getElementById("kies-alles");
    var aantal = document.getElementById("aantal-gekozen");
    if (!alles || !aantal) return;
    var n = document.querySelectorAll('input[name="inzendingen"][type="checkbox"]:checked').length;
    alles.hidden = false;
    alles.checked = n > 0 && n === vakjes().length;
    var sjabloon = n === 1 ? aantal.dataset.een : aantal.dataset.meer;
    aantal.textContent = "(" + (sjabloon || "{n}").replace("{n}", n) + ")";
  }
  document.addEventListener("change", function (gebeurtenis) {
    var doel = gebeurtenis.target;
    if (doel.id === "kies-alles") {
      vakjes().forEach(function (vakje) { vakje.checked = doel.checked; });
      tel();
    } else if (doel.name === "inzendingen") {
      tel();
    }
  });
  document.addEventListener("DOMContentLoaded", tel);
  document.addEventListener("htmx:afterSettle", tel);
})();
