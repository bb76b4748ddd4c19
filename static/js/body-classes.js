// GOV.UK Frontend styles its JavaScript-enhanced components when these classes are on <body>.
// Loaded as the first thing in <body> so there is no flash of unenhanced content; kept in a
// file rather than inline so the Content-Security-Policy can forbid inline script.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
