// A link that loads content elsewhere on the page (a roll-up count loading its list of
// actions below the tables) brings the person to it: the element its data-focus-after names
// takes the focus once the new content is in, which also scrolls it into view. Without it the
// list appears off screen and the click looks as if it did nothing.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var selector = trigger && trigger.getAttribute && trigger.getAttribute("data-focus-after");
    if (!selector) return;
    var target = document.querySelector(selector);
    if (target) target.focus();
  });
})();
