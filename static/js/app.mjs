// Starts GOV.UK Frontend's components (skip link, service navigation, notification banners…).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// Components inside content swapped in by htmx need starting too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.detail.elt });
});
